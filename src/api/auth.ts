import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { NextFunction, Request, Response } from 'express';
import type { Db } from '../db/client';
import { apiKeys, type ApiKeyRole } from '../db/schema';
import { callDatabase } from './dependencies';
import { problems } from './problems';

export interface Principal {
  keyId: string;
  /** The agent or service behind the key: the actor recorded in ticket histories. */
  name: string;
  role: ApiKeyRole;
  /** A service key's reach: the tickets it started (`own`) or every ticket (`all`). */
  scope: 'own' | 'all';
}

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** Creates a key and returns its plaintext; only the hash is stored, so this is the one chance to see it. */
export async function createApiKey(
  db: Db,
  input: { name: string; role: ApiKeyRole; scope?: 'own' | 'all' },
): Promise<{ id: string; key: string }> {
  const key = `tdm_${input.role}_${randomBytes(32).toString('base64url')}`;
  const id = `key_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await db.insert(apiKeys).values({ id, name: input.name, role: input.role, scope: input.scope ?? 'own', hash: hashKey(key) });
  return { id, key };
}

export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length > 0;
}

export function listApiKeys(db: Db) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      role: apiKeys.role,
      scope: apiKeys.scope,
      createdAt: apiKeys.createdAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .orderBy(apiKeys.createdAt);
}

export async function findPrincipal(db: Db, hash: string): Promise<Principal | null> {
  const [row] = await db
    .select({ keyId: apiKeys.id, name: apiKeys.name, role: apiKeys.role, scope: apiKeys.scope })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row ?? null;
}

/** The unrevoked key with this id: what a signed-in codec session stands for. */
export async function findPrincipalById(db: Db, keyId: string): Promise<Principal | null> {
  const [row] = await db
    .select({ keyId: apiKeys.id, name: apiKeys.name, role: apiKeys.role, scope: apiKeys.scope })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row ?? null;
}

/**
 * Keys the database verified in the last `ttlMs`, by hash (the plaintext is never held), so
 * calls that need only Temporal keep working through a database outage shorter than the TTL.
 * The price: a key revoked (or given another role) in the database still works for up to
 * `ttlMs` in a running API. Unknown and revoked keys are not cached at all: every such request
 * asks the database again, so a key created a moment ago works at once.
 */
export class VerifiedKeys {
  private readonly entries = new Map<string, { principal: Principal; expiresAt: number }>();
  // One lookup per key at a time: when a busy key's entry expires, its requests share the query.
  private readonly lookups = new Map<string, Promise<Principal | null>>();

  constructor(
    private readonly ttlMs: number,
    // Only real keys are cached, so this bounds memory against a pathological number of them.
    private readonly maxEntries = 10_000,
  ) {}

  async resolve(hash: string, lookup: () => Promise<Principal | null>): Promise<Principal | null> {
    const cached = this.entries.get(hash);
    if (cached && cached.expiresAt > Date.now()) return cached.principal;
    if (cached) this.entries.delete(hash);
    let pending = this.lookups.get(hash);
    if (!pending) {
      pending = lookup().finally(() => this.lookups.delete(hash));
      this.lookups.set(hash, pending);
    }
    const principal = await pending;
    if (principal && this.ttlMs > 0) this.remember(hash, principal);
    return principal;
  }

  private remember(hash: string, principal: Principal) {
    if (!this.entries.has(hash) && this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest entry.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(hash, { principal, expiresAt: Date.now() + this.ttlMs });
  }
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    requestId?: string;
  }
}

/**
 * Resolves `Authorization: Bearer <key>` to a principal; 401 when missing, malformed, unknown or
 * revoked; 503 naming the database when it cannot be asked and the key is not in the cache.
 */
export function authenticate(db: Db, timeoutMs: number, options: { cacheTtlMs?: number } = {}) {
  const verified = new VerifiedKeys(options.cacheTtlMs ?? 0);
  return async (req: Request, _res: Response, next: NextFunction) => {
    // A signed-in session (the codec server's, from Temporal Web) already named its key.
    if (req.principal) return next();
    const header = req.get('authorization');
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match?.[1]) throw problems.unauthenticated('send Authorization: Bearer <api key>');
    const hash = hashKey(match[1]);
    const principal = await verified.resolve(hash, () => callDatabase(timeoutMs, () => findPrincipal(db, hash)));
    if (!principal) throw problems.unauthenticated('the API key is unknown or revoked');
    req.principal = principal;
    next();
  };
}

/** Who may call a route: lead and admin may do everything unless the route is `exclusive` to its roles. */
export function allowedRoles(roles: ApiKeyRole[], exclusive = false): ApiKeyRole[] {
  return exclusive ? roles : [...new Set<ApiKeyRole>([...roles, 'lead', 'admin'])];
}

export function allow(roles: ApiKeyRole[], exclusive = false) {
  const allowed = allowedRoles(roles, exclusive);
  return (req: Request, _res: Response, next: NextFunction) => {
    const role = req.principal?.role;
    if (!role) throw problems.unauthenticated('send Authorization: Bearer <api key>');
    if (!allowed.includes(role)) throw problems.forbidden(`a ${role} key may not do this; it needs one of: ${allowed.join(', ')}`);
    next();
  };
}

export function principalOf(req: Request): Principal {
  if (!req.principal) throw problems.unauthenticated('send Authorization: Bearer <api key>');
  return req.principal;
}

/** The people behind live agent, lead and admin keys: who a ticket can be assigned to. */
export async function listAgents(db: Db): Promise<{ name: string; role: ApiKeyRole }[]> {
  const rows = await db
    .selectDistinct({ name: apiKeys.name, role: apiKeys.role })
    .from(apiKeys)
    .where(and(isNull(apiKeys.revokedAt), inArray(apiKeys.role, ['agent', 'lead', 'admin'])))
    .orderBy(apiKeys.name);
  // A person with keys of two roles is listed once, with the higher role.
  const rank: Record<string, number> = { agent: 0, lead: 1, admin: 2 };
  const byName = new Map<string, ApiKeyRole>();
  for (const r of rows) if ((rank[r.role] ?? -1) >= (rank[byName.get(r.name) ?? ''] ?? -1)) byName.set(r.name, r.role);
  return [...byName].map(([name, role]) => ({ name, role }));
}
