import { eq } from 'drizzle-orm';
import type { Db } from './client';
import { settings } from './schema';

/**
 * A secret Tandem makes once and every process over the same database shares (the first
 * process to ask stores it; the others read what it stored).
 */
export async function generatedSecret(db: Db, name: string, make: () => string): Promise<string> {
  await db.insert(settings).values({ key: name, value: make() }).onConflictDoNothing();
  const value = await storedSecret(db, name);
  if (value === undefined) throw new Error(`the generated secret ${name} could not be stored`);
  return value;
}

/** A secret generated earlier, if one was. */
export async function storedSecret(db: Db, name: string): Promise<string | undefined> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, name));
  return row?.value;
}
