import { randomUUID } from 'node:crypto';
import { eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../db/client';
import { accounts, customers, planChanges } from '../db/schema';
import { Tier } from '../schemas/vocabulary';

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new Error('unterminated quoted field at the end of the file');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((f) => f.trim() !== ''));
}

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

export const CustomerRow = z.object({
  email: z.email(),
  name: z.string().trim().min(1),
  account_id: z
    .string()
    .trim()
    .min(1)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits, _ . : - only'),
  account_name: z.string().trim().min(1),
  tier: Tier,
  plan: z.string().trim().min(1),
  // Optional: left blank, a new account gets 0 / active and an existing one keeps what it has.
  mrr: z.preprocess(blankToUndefined, z.coerce.number().min(0).optional()).describe('monthly revenue in the currency unit'),
  billing_status: z.preprocess(blankToUndefined, z.enum(['active', 'trialing', 'past_due', 'canceled', 'unpaid']).optional()),
  customer_id: z.preprocess(blankToUndefined, z.string().trim().min(1).optional()),
  account_created_at: z.preprocess(blankToUndefined, z.iso.datetime({ offset: true }).or(z.iso.date()).optional()),
});
export type CustomerRow = z.infer<typeof CustomerRow>;
const requiredColumns = ['email', 'name', 'account_id', 'account_name', 'tier', 'plan'] as const;

export interface ImportProblem {
  line: number;
  problem: string;
}

/** Rows as objects keyed by header, each validated; every problem is collected with its line. */
export function readCustomerCsv(text: string): { rows: CustomerRow[]; problems: ImportProblem[] } {
  const [header, ...records] = parseCsv(text);
  if (!header) return { rows: [], problems: [{ line: 1, problem: 'the file is empty' }] };
  const columns = header.map((h) => h.trim().toLowerCase());
  const missing = requiredColumns.filter((c) => !columns.includes(c));
  if (missing.length > 0) return { rows: [], problems: [{ line: 1, problem: `missing columns: ${missing.join(', ')}` }] };
  const rows: CustomerRow[] = [];
  const problems: ImportProblem[] = [];
  const emails = new Map<string, number>();
  records.forEach((record, i) => {
    const line = i + 2;
    const parsed = CustomerRow.safeParse(Object.fromEntries(columns.map((c, j) => [c, record[j] ?? ''])));
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push({ line, problem: `${issue.path.join('.')}: ${issue.message}` });
      return;
    }
    const email = parsed.data.email.toLowerCase();
    const first = emails.get(email);
    if (first) problems.push({ line, problem: `email ${email} is already on line ${first}` });
    else emails.set(email, line);
    rows.push(parsed.data);
  });
  return { rows, problems };
}

export interface ImportResult {
  accounts: { created: number; updated: number };
  customers: { created: number; updated: number };
  planChanges: number;
}

const tierRank = { free: 0, pro: 1, enterprise: 2 } as const;

/**
 * What a re-import says happened to an account: a cancellation, a comeback, or a plan change
 * whose direction the tier or, failing that, the MRR shows. A renamed plan with neither
 * moving is not a change worth a churn signal.
 */
function planChangeKind(
  before: typeof accounts.$inferSelect,
  after: { tier: keyof typeof tierRank; plan: string; mrrCents?: number | undefined; billingStatus?: string | undefined },
): 'upgrade' | 'downgrade' | 'cancellation' | 'renewal' | null {
  if (after.billingStatus === 'canceled' && before.billingStatus !== 'canceled') return 'cancellation';
  if (before.billingStatus === 'canceled' && after.billingStatus !== undefined && after.billingStatus !== 'canceled') return 'renewal';
  if (before.plan === after.plan && before.tier === after.tier) return null;
  const byTier = tierRank[after.tier] - tierRank[before.tier];
  if (byTier !== 0) return byTier > 0 ? 'upgrade' : 'downgrade';
  if (after.mrrCents !== undefined && after.mrrCents !== before.mrrCents) return after.mrrCents > before.mrrCents ? 'upgrade' : 'downgrade';
  return null;
}

/**
 * Upserts accounts and contacts in one transaction: all or nothing. A changed plan on an
 * existing account is recorded as an upgrade or downgrade, so churn signals follow; columns
 * left blank keep the account's current values.
 */
export async function importCustomers(
  db: Db,
  rows: CustomerRow[],
  onProgress?: (done: number, total: number) => void,
): Promise<ImportResult> {
  const result: ImportResult = { accounts: { created: 0, updated: 0 }, customers: { created: 0, updated: 0 }, planChanges: 0 };
  await db.transaction(async (tx) => {
    const byAccount = new Map(rows.map((r) => [r.account_id, r]));
    const existing = new Map(
      (
        await tx
          .select()
          .from(accounts)
          .where(inArray(accounts.id, [...byAccount.keys()]))
      ).map((a) => [a.id, a]),
    );
    for (const [id, r] of byAccount) {
      const given = {
        name: r.account_name,
        tier: r.tier,
        plan: r.plan,
        ...(r.mrr !== undefined ? { mrrCents: Math.round(r.mrr * 100) } : {}),
        ...(r.billing_status ? { billingStatus: r.billing_status } : {}),
        ...(r.account_created_at ? { createdAt: new Date(r.account_created_at) } : {}),
      };
      const before = existing.get(id);
      if (!before) {
        await tx.insert(accounts).values({ id, mrrCents: 0, billingStatus: 'active', ...given });
        result.accounts.created++;
        continue;
      }
      await tx.update(accounts).set(given).where(eq(accounts.id, id));
      result.accounts.updated++;
      const kind = planChangeKind(before, given);
      if (kind) {
        await tx
          .insert(planChanges)
          .values({ id: `pc_${randomUUID()}`, accountId: id, kind, fromPlan: before.plan, toPlan: r.plan, changedAt: new Date() });
        result.planChanges++;
      }
    }
    let done = 0;
    for (const r of rows) {
      const [found] = await tx
        .select({ id: customers.id })
        .from(customers)
        .where(r.customer_id ? eq(customers.id, r.customer_id) : sql`lower(${customers.email}) = lower(${r.email})`)
        .limit(1);
      if (found) {
        await tx.update(customers).set({ email: r.email, name: r.name, accountId: r.account_id }).where(eq(customers.id, found.id));
        result.customers.updated++;
      } else {
        await tx.insert(customers).values({
          id: r.customer_id ?? `cus_${randomUUID().replaceAll('-', '').slice(0, 16)}`,
          email: r.email,
          name: r.name,
          accountId: r.account_id,
        });
        result.customers.created++;
      }
      if (++done % 500 === 0) onProgress?.(done, rows.length);
    }
    onProgress?.(rows.length, rows.length);
  });
  return result;
}
