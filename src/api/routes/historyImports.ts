import type { z } from 'zod';
import { getImport, type HistoryImport } from '../../db/historyImports';
import { importHistory } from '../../integrations/historyImport';
import { ImportIdParams, ImportQuery, ImportRecord, ImportStarted } from '../../schemas/historyImport';
import type { Principal } from '../auth';
import { Problem, problems } from '../problems';
import { commonResponses, defineRoute, problemResponse, type RouteSpec } from '../route';
import type { TicketCalls } from './ticketCalls';

/** How many problems a 422 lists (all are kept on the import; GET shows them). */
const LISTED_PROBLEMS = 1000;

const recordOf = (row: HistoryImport) => ({
  importId: row.id,
  source: row.source,
  fileName: row.fileName,
  status: row.status,
  rows: row.rows,
  skipped: row.skipped,
  classified: row.classified,
  percent: row.rows === 0 ? (row.status === 'done' ? 100 : 0) : Math.floor((row.classified / row.rows) * 1000) / 10,
  problems: row.problems ?? [],
  workflowId: row.workflowId,
  createdBy: row.createdBy,
  createdAt: row.createdAt.toISOString(),
  finishedAt: row.finishedAt?.toISOString() ?? null,
});

/** Importing past tickets from another helpdesk (admin): the file checked whole, then classified by a workflow. */
export function historyImportRoutes({ db, database, client, deps }: TicketCalls): RouteSpec[] {
  const start = defineRoute({
    method: 'post',
    path: '/v1/history/imports',
    operationId: 'importHistory',
    tag: 'History import',
    summary: 'Import past tickets from a helpdesk export',
    description:
      'The body is the export itself: CSV (`text/csv`, a header line) or JSON Lines (`application/x-ndjson`). The whole file is checked first; any problem (not UTF-8, a required column missing, a duplicate id, a date unreadable or in the future, a bad value) is a 422 listing every one with its line and column, and nothing is imported. A clean file is inserted (a ticket imported before from the same source is skipped) and the `history-import-<id>` workflow classifies it in batches; follow it with GET /v1/history/imports/{id}.',
    roles: ['admin'],
    exclusive: true,
    bodyType: 'export',
    bodyLimit: '200mb',
    query: ImportQuery,
    responses: {
      202: { description: 'Imported; classification under way.', schema: ImportStarted },
      ...commonResponses,
      415: problemResponse('The body is not text/csv or application/x-ndjson.'),
      422: problemResponse('The file was refused: `problems` lists every bad line (line, field, message); nothing was imported.'),
    },
    async handle({
      query,
      raw,
      principal,
      header,
    }: {
      query: z.output<typeof ImportQuery>;
      raw: Buffer | null;
      principal: Principal | null;
      header: (name: string) => string | undefined;
    }) {
      const bytes = raw ?? Buffer.alloc(0);
      const kind = /ndjson|jsonl/.test(header('content-type') ?? '') ? 'jsonl' : 'csv';
      // Not under the usual database deadline: a large file's rows take longer than one query.
      const outcome = await importHistory(
        { db, client, taskQueue: deps.taskQueue },
        {
          bytes,
          kind,
          format: query.format,
          ...(query.map ? { map: query.map } : {}),
          ...(query.source ? { source: query.source } : {}),
          fileName: query.fileName ?? null,
          createdBy: principal?.name ?? 'admin',
        },
      );
      if (outcome.status === 'invalid') {
        throw new Problem(422, 'Unprocessable file', `${outcome.problems.length} problem(s) in the file; nothing was imported`, {
          importId: outcome.importId,
          problemCount: outcome.problems.length,
          problems: outcome.problems.slice(0, LISTED_PROBLEMS),
        });
      }
      const location = `/v1/history/imports/${outcome.importId}`;
      return {
        status: 202,
        headers: { Location: location },
        body: {
          importId: outcome.importId,
          workflowId: outcome.workflowId,
          status: outcome.status,
          rows: outcome.rows,
          skipped: outcome.skipped,
          location,
        },
      };
    },
  });

  const read = defineRoute({
    method: 'get',
    path: '/v1/history/imports/:id',
    operationId: 'getHistoryImport',
    tag: 'History import',
    summary: "An import's status and progress",
    description: 'From the database (a batch counts once it is written), so it answers while no worker runs.',
    roles: ['admin'],
    exclusive: true,
    params: ImportIdParams,
    responses: { 200: { description: 'The import.', schema: ImportRecord }, ...commonResponses, 404: problemResponse('No such import.') },
    async handle({ params }: { params: z.output<typeof ImportIdParams> }) {
      const row = await database(() => getImport(db, params.id));
      if (!row) throw problems.notFound(`no import ${params.id}`);
      return { status: 200, body: recordOf(row) };
    },
  });
  return [start, read];
}
