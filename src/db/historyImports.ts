import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Classification } from '../domain/ticket';
import type { HistoryRow, ImportProblem } from '../integrations/historyFile';
import type { Db } from './client';
import { historyImports, importedTickets, type ImportStatus } from './schemaImport';
import { textArray } from './textArray';

// The history import's rows: one per import, one per past ticket. Every write is idempotent: a
// re-import of the same ticket (source + id) is skipped, and a batch marks only rows still
// unclassified, so a retried batch never classifies a ticket twice.

export type HistoryImport = typeof historyImports.$inferSelect;

const INSERT_CHUNK = 1000;

export async function recordInvalidImport(
  db: Db,
  record: { id: string; source: string; fileName: string | null; createdBy: string; problems: ImportProblem[] },
): Promise<void> {
  await db.insert(historyImports).values({ ...record, status: 'invalid', finishedAt: new Date() });
}

/**
 * The import and its rows in one transaction: rows already imported (same source and id, from any
 * earlier import) are skipped. Returns how many were new.
 */
export async function recordImport(
  db: Db,
  record: { id: string; source: string; fileName: string | null; createdBy: string; workflowId: string },
  rows: HistoryRow[],
): Promise<{ inserted: number; skipped: number }> {
  return db.transaction(async (tx) => {
    let inserted = 0;
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      const written = await tx
        .insert(importedTickets)
        .values(
          chunk.map((r) => ({
            // The id follows from the unique (source, external id), so a re-import meets the same row.
            id: `${record.source}:${r.externalId}`,
            importId: record.id,
            source: record.source,
            externalId: r.externalId,
            createdAt: r.createdAt,
            solvedAt: r.solvedAt,
            subject: r.subject,
            description: r.description,
            tags: sql`${textArray(r.tags)}::text[]`,
            channel: r.channel,
            requesterEmail: r.requesterEmail,
            assignee: r.assignee,
            replies: r.replies,
            firstReplyMinutes: r.firstReplyMinutes,
            handleMinutes: r.handleMinutes,
            csat: r.csat,
            reopens: r.reopens,
          })),
        )
        .onConflictDoNothing()
        .returning({ id: importedTickets.id });
      inserted += written.length;
    }
    const skipped = rows.length - inserted;
    await tx.insert(historyImports).values({
      ...record,
      status: inserted > 0 ? 'classifying' : 'done',
      rows: inserted,
      skipped,
      ...(inserted > 0 ? {} : { finishedAt: new Date() }),
    });
    return { inserted, skipped };
  });
}

export async function getImport(db: Db, id: string): Promise<HistoryImport | undefined> {
  const [row] = await db.select().from(historyImports).where(eq(historyImports.id, id)).limit(1);
  return row;
}

export interface TicketToClassify {
  id: string;
  subject: string;
  description: string;
  channel: string | null;
}

/** The next unclassified rows of an import, in id order (the partial index's order). */
export async function unclassifiedRows(db: Db, importId: string, limit: number): Promise<TicketToClassify[]> {
  return db
    .select({
      id: importedTickets.id,
      subject: importedTickets.subject,
      description: importedTickets.description,
      channel: importedTickets.channel,
    })
    .from(importedTickets)
    .where(and(eq(importedTickets.importId, importId), isNull(importedTickets.classifiedAt)))
    .orderBy(importedTickets.id)
    .limit(limit);
}

/**
 * Writes a batch's classifications and counts them on the import, in one transaction. Only rows
 * still unclassified are written: a batch repeated after a crash adds nothing twice.
 */
export async function saveClassifications(
  db: Db,
  importId: string,
  results: { id: string; classification: Pick<Classification, 'issueType' | 'complexity' | 'repeatability' | 'urgency'> }[],
  at: Date,
): Promise<{ classified: number; total: number }> {
  const values = sql.join(
    results.map(
      (r) =>
        sql`(${r.id}, ${r.classification.issueType}, ${r.classification.complexity}, ${r.classification.repeatability}, ${r.classification.urgency})`,
    ),
    sql`, `,
  );
  return db.transaction(async (tx) => {
    if (results.length === 0) return { classified: 0, total: await classifiedSoFar(tx, importId) };
    const updated = await tx.execute<{ id: string }>(sql`
      update imported_tickets t
         set issue_type = v.issue_type, complexity = v.complexity, repeatability = v.repeatability, urgency = v.urgency,
             classified_at = ${at.toISOString()}::timestamptz
        from (values ${values}) as v(id, issue_type, complexity, repeatability, urgency)
       where t.id = v.id and t.import_id = ${importId} and t.classified_at is null
      returning t.id`);
    const count = rowsOf(updated).length;
    if (count === 0) return { classified: 0, total: await classifiedSoFar(tx, importId) };
    const [row] = await tx
      .update(historyImports)
      .set({ classified: sql`${historyImports.classified} + ${count}` })
      .where(eq(historyImports.id, importId))
      .returning({ total: historyImports.classified });
    return { classified: count, total: row?.total ?? count };
  });
}

async function classifiedSoFar(db: Db, importId: string): Promise<number> {
  const [row] = await db.select({ total: historyImports.classified }).from(historyImports).where(eq(historyImports.id, importId));
  return row?.total ?? 0;
}

/** postgres.js answers an array; PGlite an object with `rows`. */
const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? (result as T[]) : ((result as { rows?: T[] }).rows ?? []));

export async function finishImport(db: Db, importId: string, status: Extract<ImportStatus, 'done' | 'failed'>, at: Date): Promise<void> {
  await db.update(historyImports).set({ status, finishedAt: at }).where(eq(historyImports.id, importId));
}
