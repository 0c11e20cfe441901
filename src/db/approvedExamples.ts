import { and, desc, eq, sql } from 'drizzle-orm';
import type { ExampleHit } from '../domain/review';
import type { IssueType } from '../domain/vocabulary';
import type { Db } from './client';
import { approvedExamples } from './schema';

/** The category's approved examples nearest to these words (PostgreSQL full-text search over their questions), best first. */
export async function nearestApprovedExamples(db: Db, category: IssueType, words: string[], limit = 2): Promise<ExampleHit[]> {
  if (words.length === 0) return [];
  const query = sql`to_tsquery('english', ${words.join(' | ')})`;
  const rank = sql<number>`ts_rank(${approvedExamples.search}, ${query})`.mapWith(Number);
  const matched =
    sql<number>`(select count(*) from unnest(string_to_array(${words.join(' ')}, ' ')) as w where ${approvedExamples.search} @@ to_tsquery('english', w))`.mapWith(
      Number,
    );
  const hits = await db
    .select({ id: approvedExamples.id, question: approvedExamples.question, answer: approvedExamples.answer, rank, matched })
    .from(approvedExamples)
    .where(and(eq(approvedExamples.category, category), sql`${approvedExamples.search} @@ ${query}`))
    .orderBy(desc(rank), desc(approvedExamples.createdAt))
    .limit(limit);
  return hits.map((h) => ({ ...h, asked: words.length }));
}
