import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
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
}

const hashKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** Creates a key and returns its plaintext; only the hash is stored, so this is the one chance to see it. */
export async function createApiKey(db: Db, input: { name: string; role: ApiKeyRole }): Promise<{ id: string; key: string }> {
  const key = `tdm_${input.role}_${randomBytes(32).toString('base64url')}`;
  const id = `key_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  await db.insert(apiKeys).values({ id, name: input.name, role: input.role, hash: hashKey(key) });
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
    .select({ id: apiKeys.id, name: apiKeys.name, role: apiKeys.role, createdAt: apiKeys.createdAt, revokedAt: apiKeys.revokedAt })
    .from(apiKeys)
    .orderBy(apiKeys.createdAt);
}

async function findPrincipal(db: Db, key: string): Promise<Principal | null> {
  const [row] = await db
    .select({ keyId: apiKeys.id, name: apiKeys.name, role: apiKeys.role })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hashKey(key)), isNull(apiKeys.revokedAt)))
    .limit(1);
  return row ?? null;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
    requestId?: string;
  }
}

/** Resolves `Authorization: Bearer <key>` to a principal; 401 when missing, malformed, unknown or revoked. */
export function authenticate(db: Db, timeoutMs: number) {
  return async (req: Request, _res: Response, next: NextFunction) => {
    const header = req.get('authorization');
    const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
    if (!match?.[1]) throw problems.unauthenticated('send Authorization: Bearer <api key>');
    const principal = await callDatabase(timeoutMs, () => findPrincipal(db, match[1] as string));
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
