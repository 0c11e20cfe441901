import { eq, sql } from 'drizzle-orm';
import { defaultPolicyDocument, policyProblems, RoutingPolicy, type RoutingPolicyInput } from '../schemas/policy';
import type { Db } from './client';
import { routingPolicies } from './schema';

export interface StoredPolicy {
  version: string;
  policy: RoutingPolicy;
  /** As submitted: durations stay "4h", not milliseconds. */
  document: unknown;
  createdBy: string;
  createdAt: Date | null;
}

export class PolicyRejected extends Error {
  constructor(readonly problems: string[]) {
    super(`the policy is invalid: ${problems.join('; ')}`);
  }
}
export class PolicyVersionExists extends Error {}

const builtIn: StoredPolicy = {
  version: defaultPolicyDocument.version,
  policy: RoutingPolicy.parse(defaultPolicyDocument),
  document: defaultPolicyDocument,
  createdBy: 'built-in',
  createdAt: null,
};

/**
 * Versioned routing policies. New tickets start on the active version and carry it in their
 * workflow input, so activating a new one never changes a ticket already running.
 */
export function createPolicyStore(db: Db, options: { cacheMs?: number } = {}) {
  const cacheMs = options.cacheMs ?? 1000;
  let cached: { at: number; value: StoredPolicy } | undefined;

  async function load(): Promise<StoredPolicy> {
    const [row] = await db.select().from(routingPolicies).where(eq(routingPolicies.active, true)).limit(1);
    if (!row) return builtIn;
    return {
      version: row.version,
      policy: RoutingPolicy.parse(row.document),
      document: row.document,
      createdBy: row.createdBy,
      createdAt: row.createdAt,
    };
  }

  return {
    /** The active policy; read at most once per `cacheMs` so ticket creation stays one round trip. */
    async active(): Promise<StoredPolicy> {
      if (cached && Date.now() - cached.at < cacheMs) return cached.value;
      const value = await load();
      cached = { at: Date.now(), value };
      return value;
    },

    /** Validates the document and makes it the active version; every problem is reported at once. */
    async activate(document: unknown, createdBy: string): Promise<StoredPolicy> {
      return this.save(document, createdBy, { activate: true });
    },

    /**
     * Validates and stores a new version; active at once unless `activate` is false (a proposal an
     * admin reads first, then activates with `activateVersion`). Every problem is reported at once.
     */
    async save(document: unknown, createdBy: string, options: { activate: boolean }): Promise<StoredPolicy> {
      const problems = policyProblems(document);
      if (problems.length > 0) throw new PolicyRejected(problems);
      const input = document as RoutingPolicyInput;
      if (input.version === builtIn.version) throw new PolicyVersionExists(`version ${input.version} is the built-in default`);
      try {
        await db.transaction(async (tx) => {
          // Two activations at once would both switch the old one off: take turns instead.
          await tx.execute(sql`select pg_advisory_xact_lock(hashtext('tandem:routing-policy'))`);
          if (options.activate) await tx.update(routingPolicies).set({ active: false }).where(eq(routingPolicies.active, true));
          await tx.insert(routingPolicies).values({ version: input.version, document: input, active: options.activate, createdBy });
        });
      } catch (err) {
        const cause = ((err as { cause?: unknown }).cause ?? err) as { code?: string; constraint_name?: string; constraint?: string };
        if (cause.code === '23505' && (cause.constraint_name ?? cause.constraint ?? '').endsWith('pkey')) {
          throw new PolicyVersionExists(`version ${input.version} already exists; policies are immutable, use a new version`);
        }
        throw err;
      }
      cached = undefined;
      if (options.activate) return this.active();
      return { version: input.version, policy: RoutingPolicy.parse(input), document: input, createdBy, createdAt: new Date() };
    },

    /** Makes a stored version the active one; null when there is no such version. */
    async activateVersion(version: string): Promise<StoredPolicy | null> {
      const found = await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(hashtext('tandem:routing-policy'))`);
        const [row] = await tx
          .select({ version: routingPolicies.version })
          .from(routingPolicies)
          .where(eq(routingPolicies.version, version));
        if (!row) return false;
        await tx.update(routingPolicies).set({ active: false }).where(eq(routingPolicies.active, true));
        await tx.update(routingPolicies).set({ active: true }).where(eq(routingPolicies.version, version));
        return true;
      });
      cached = undefined;
      return found ? this.active() : null;
    },
  };
}

export type PolicyStore = ReturnType<typeof createPolicyStore>;
