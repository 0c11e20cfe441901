import { sql } from 'drizzle-orm';
import type { Db } from './client';
import { kbArticles } from './schema';

/** Which of these links some knowledge-base article holds (its text contains the link). */
export async function linksInKnowledgeBase(db: Db, links: string[]): Promise<string[]> {
  if (links.length === 0) return [];
  const found = await Promise.all(
    links.map(async (link) => {
      const [row] = await db
        .select({ id: kbArticles.id })
        .from(kbArticles)
        .where(sql`strpos(${kbArticles.body}, ${link}) > 0`)
        .limit(1);
      return row ? link : null;
    }),
  );
  return found.filter((l): l is string => l !== null);
}
