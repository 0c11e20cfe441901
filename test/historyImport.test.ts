import { readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSupportAI } from '../src/ai/localProvider';
import type { SupportAI } from '../src/ai/supportAI';
import { accounts, customers, historyImports, importedTickets } from '../src/db/schema';
import { ERASED } from '../src/domain/erasure';
import { importHistory } from '../src/integrations/historyImport';
import { progressQuery } from '../src/workflows/historyImportMessages';
import { openTestDatabase, startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';
import { waitFor } from './support/waitFor';

// Importing past tickets: the whole file checked first (every problem with its line and column,
// nothing written when there is one), then the rows inserted and classified by the
// history-import workflow, each ticket once.

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', 'history', name));
const classifyCalls: string[] = [];

let stack: TestStack<'admin' | 'lead' | 'agent'>;

beforeAll(async () => {
  // The local provider, counting its classifications: a ticket classified twice shows here.
  const database = await openTestDatabase();
  const local = createLocalSupportAI(database.db);
  const counting: SupportAI = {
    ...local,
    name: local.name,
    classify: (ticket) => {
      classifyCalls.push(ticket.ticketId);
      return local.classify(ticket);
    },
  };
  stack = await startTestStack({ keys: { admin: 'admin', lead: 'lead', agent: 'agent' }, worker: { ai: counting } });
  await database.close();
});
afterAll(async () => stack?.close());

const source = () => `test-${randomUUID().slice(0, 8)}`;

async function post(file: Buffer | string, query: string, contentType = 'text/csv', key = stack.keys.admin) {
  const res = await fetch(`${stack.url}/v1/history/imports?${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': contentType },
    body: file,
  });
  const text = await res.text();
  return { status: res.status, body: text && (res.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
}

const rowsOf = (importId: string) => stack.database.db.select().from(importedTickets).where(eq(importedTickets.importId, importId));
const waitDone = (importId: string) =>
  waitFor(
    () => call(stack.url, 'GET', `/v1/history/imports/${importId}`, { key: stack.keys.admin }),
    (r) => r.body.status === 'done',
    { describe: `import ${importId} done`, show: (r) => r.body },
  );

describe('validation', () => {
  it('lists every problem with its line and column and imports nothing', async () => {
    const res = await post(fixture('invalid.csv'), `format=zendesk&source=${source()}`);
    expect(res.status).toBe(422);
    expect(res.body.problems).toEqual([
      { line: 3, field: 'Created at', message: expect.stringContaining('"yesterday" is not a date') },
      { line: 4, field: 'Created at', message: expect.stringContaining('is in the future') },
      { line: 5, field: 'Id', message: 'duplicate id 2001 (first on line 2)' },
      { line: 6, field: 'Solved at', message: 'solved before it was created' },
      { line: 7, field: 'Description', message: 'empty' },
      { line: 7, field: 'Replies', message: 'a whole number' },
      { line: 7, field: 'Satisfaction Score', message: expect.stringContaining('"meh" is not a rating') },
    ]);
    expect(await rowsOf(res.body.importId)).toEqual([]);
    const [record] = await stack.database.db.select().from(historyImports).where(eq(historyImports.id, res.body.importId));
    expect(record).toMatchObject({ status: 'invalid', rows: 0, workflowId: null });
    expect(record!.problems).toHaveLength(7);
    const read = await call(stack.url, 'GET', `/v1/history/imports/${res.body.importId}`, { key: stack.keys.admin });
    expect(read.body).toMatchObject({ status: 'invalid', problems: res.body.problems });
  });

  it('refuses a file that is not UTF-8, naming each bad line', async () => {
    const latin1 = Buffer.from(
      'Id,Created at,Subject,Description\n1,2026-10-01,Caf\xe9,ok\n2,2026-10-01,fine,ok\n3,2026-10-01,na\xefve,x\n',
      'latin1',
    );
    const res = await post(latin1, `format=zendesk&source=${source()}`);
    expect(res.status).toBe(422);
    expect(res.body.problems).toEqual([
      { line: 2, message: expect.stringContaining('not UTF-8') },
      { line: 4, message: expect.stringContaining('not UTF-8') },
    ]);
    expect(await rowsOf(res.body.importId)).toEqual([]);
  });

  it('names every required column that is missing, and a --map that renames it is accepted', async () => {
    const csv = 'ticket,opened,title,text\nA-1,2026-10-01 10:00:00,Hello,How do I export my invoices?\n';
    const missing = await post(csv, `format=tandem&source=${source()}`);
    expect(missing.status).toBe(422);
    expect(missing.body.problems.map((p: { field: string }) => p.field)).toEqual(['id', 'created_at', 'subject', 'description']);
    const mapped = await post(
      csv,
      `format=tandem&source=${source()}&map=${encodeURIComponent('id=ticket,created=opened,subject=title,description=text')}`,
    );
    expect(mapped.status).toBe(202);
    await waitDone(mapped.body.importId);
  });

  it('answers 400 naming a bad format or map, 415 for another body, 403 for a lead', async () => {
    const bad = await post('x', 'format=freshdesk');
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('query.format');
    const badMap = await post('x', 'map=nosuch=Col');
    expect(badMap.body.errors[0]).toMatchObject({ field: 'query.map', message: expect.stringContaining('unknown field nosuch') });
    const unknown = await post('x', 'colour=red');
    expect(unknown.body.errors[0].field).toBe('query.colour');
    expect((await post('{}', '', 'application/json')).status).toBe(415);
    expect((await post(fixture('zendesk.csv'), 'format=zendesk', 'text/csv', stack.keys.lead)).status).toBe(403);
    expect((await post(fixture('zendesk.csv'), 'format=zendesk', 'text/csv', stack.keys.agent)).status).toBe(403);
  });
});

describe('import and classification', () => {
  it('imports a Zendesk export, classifies every ticket once in a workflow, and a re-import adds and reclassifies nothing', async () => {
    const from = source();
    const res = await post(fixture('zendesk.csv'), `format=zendesk&source=${from}`);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'classifying', rows: 4, skipped: 0, workflowId: `history-import-${res.body.importId}` });
    const done = await waitDone(res.body.importId);
    expect(done.body).toMatchObject({ rows: 4, classified: 4, percent: 100 });
    const rows = await rowsOf(res.body.importId);
    const refund = rows.find((r) => r.externalId === '1001')!;
    expect(refund).toMatchObject({
      subject: 'Refund for a double charge',
      description: 'I was charged twice for my subscription this month.\nPlease refund the second charge.',
      tags: ['billing', 'refund'],
      requesterEmail: 'ana@example.com',
      csat: 5,
      reopens: 0,
      firstReplyMinutes: 15,
      handleMinutes: 150,
      issueType: 'billing',
    });
    expect(rows.find((r) => r.externalId === '1003')).toMatchObject({ csat: 1, reopens: 1, issueType: 'technical' });
    expect(rows.find((r) => r.externalId === '1002')!.csat).toBeNull();
    expect(rows.every((r) => r.classifiedAt !== null && r.complexity !== null && r.repeatability !== null)).toBe(true);
    const ids = rows.map((r) => r.id).sort();
    expect(classifyCalls.filter((id) => ids.includes(id)).sort()).toEqual(ids);

    const progress = await stack.client.workflow.getHandle(res.body.workflowId).query(progressQuery);
    expect(progress).toMatchObject({ total: 4, classified: 4, status: 'done' });
    // What Temporal Web shows on the workflow's page: its current details.
    const metadata = await stack.client.workflow
      .getHandle(res.body.workflowId)
      .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
    expect(metadata.currentDetails).toBe(`History import ${res.body.importId}: 4 of 4 tickets classified (100%), 1 batch, done`);

    const again = await post(fixture('zendesk.csv'), `format=zendesk&source=${from}`);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ status: 'done', rows: 0, skipped: 4, workflowId: null });
    const after = await stack.database.db.select().from(importedTickets).where(eq(importedTickets.source, from));
    expect(after.map((r) => [r.id, r.classifiedAt?.getTime()]).sort()).toEqual(rows.map((r) => [r.id, r.classifiedAt?.getTime()]).sort());
    expect(classifyCalls.filter((id) => ids.includes(id))).toHaveLength(4);
  });

  it('imports an Intercom export (seconds, comma tags, untitled conversations) and Tandem JSON Lines', async () => {
    const intercom = await post(fixture('intercom.csv'), `format=intercom&source=${source()}`);
    expect(intercom.status).toBe(202);
    await waitDone(intercom.body.importId);
    const rows = await rowsOf(intercom.body.importId);
    expect(rows.find((r) => r.externalId === '215000001')).toMatchObject({
      subject: 'How do I change my billing address on invoices?',
      tags: ['billing', 'invoices'],
      firstReplyMinutes: 2,
      handleMinutes: 10,
      csat: 5,
    });
    expect(rows.find((r) => r.externalId === '215000003')).toMatchObject({ solvedAt: null, handleMinutes: null, csat: null });

    const jsonl = await post(fixture('tandem.jsonl'), `format=tandem&source=${source()}`, 'application/x-ndjson');
    expect(jsonl.status).toBe(202);
    await waitDone(jsonl.body.importId);
    const lines = await rowsOf(jsonl.body.importId);
    expect(lines.find((r) => r.externalId === 'T-1')).toMatchObject({ tags: ['billing', 'cancellation'], csat: 4, handleMinutes: 12 });
    expect(lines.find((r) => r.externalId === 'T-2')).toMatchObject({ createdAt: new Date('2026-10-07T09:00:00Z'), reopens: 2 });
  });
});

describe('long imports', () => {
  it('continue-as-new between batches carries the progress, and the import still finishes whole', async () => {
    const outcome = await importHistory(
      { db: stack.database.db, client: stack.client, taskQueue: stack.worker.taskQueue },
      {
        bytes: fixture('zendesk.csv'),
        kind: 'csv',
        format: 'zendesk',
        source: source(),
        createdBy: 'test',
        batchSize: 1,
        batchesPerRun: 2,
      },
    );
    if (outcome.status !== 'classifying') throw new Error(JSON.stringify(outcome));
    const handle = stack.client.workflow.getHandle(outcome.workflowId!);
    // Four rows one at a time, two batches a run, and the empty batch that finds the end: three runs.
    expect(await handle.result()).toMatchObject({ total: 4, classified: 4, batches: 5, status: 'done' });
    const described = await handle.describe();
    expect(described.runId).not.toBe(described.raw.workflowExecutionInfo?.firstRunId);
    expect((await rowsOf(outcome.importId)).every((r) => r.classifiedAt !== null)).toBe(true);
  });
});

describe('erasure', () => {
  it("DELETE /v1/customers/:id redacts the customer's imported tickets, found by email in any case", async () => {
    const run = randomUUID().slice(0, 8);
    const email = `past-${run}@example.com`;
    await stack.database.db.insert(accounts).values({ id: `acc-${run}`, name: 'Past Ltd', tier: 'pro', plan: 'Pro' });
    await stack.database.db.insert(customers).values({ id: `cus-${run}`, accountId: `acc-${run}`, email, name: 'Pat Past' });
    const csv = `id,created_at,subject,description,requester_email\nP-1,2026-10-01,My invoice,Invoice for Pat Past,${email.toUpperCase()}\nP-2,2026-10-01,Other,Someone else,other-${run}@example.com\n`;
    const imported = await post(csv, `source=${source()}`);
    expect(imported.status).toBe(202);
    await waitDone(imported.body.importId);
    const erased = await call(stack.url, 'DELETE', `/v1/customers/cus-${run}`, { key: stack.keys.admin });
    expect(erased.status).toBe(200);
    expect(erased.body.readModel.importedTickets).toBe(1);
    const rows = await rowsOf(imported.body.importId);
    expect(rows.find((r) => r.externalId === 'P-1')).toMatchObject({ subject: ERASED, description: ERASED, requesterEmail: null });
    // Its shape stays for the taxonomy: the classification and the timings are kept.
    expect(rows.find((r) => r.externalId === 'P-1')!.complexity).not.toBeNull();
    expect(rows.find((r) => r.externalId === 'P-2')).toMatchObject({ subject: 'Other', requesterEmail: `other-${run}@example.com` });
  });
});
