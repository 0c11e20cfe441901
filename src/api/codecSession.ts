import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Db } from '../db/client';
import { generatedSecret } from '../db/generatedSecrets';
import { findPrincipalById, VerifiedKeys, type Principal } from './auth';
import { callDatabase } from './dependencies';

/**
 * Temporal Web calls the codec server from the browser and can send no bearer key of ours (its
 * "pass access token" option sends its own login's token), only cookies ("include cross-origin
 * credentials"). So a lead or admin signs in once at /codec/session with their API key and gets a
 * cookie: a signed token naming the key (never the key itself) that expires after `ttlMs` and
 * stops working as soon as the key is revoked. HttpOnly, SameSite=Strict (Temporal Web must be
 * on the same site as the API: 127.0.0.1 ports, or subdomains of one domain), Path=/codec.
 */

export const SESSION_COOKIE = 'tandem_codec_session';
const SECRET = 'codec_session_secret';

export interface CodecSessions {
  /** The Set-Cookie value that signs this principal in. */
  signIn(principal: Principal): Promise<{ cookie: string; expiresAt: Date }>;
  /** The Set-Cookie value that signs out. */
  signOut(): string;
  /** Sets `req.principal` from a valid session cookie when the request has no Authorization header. */
  middleware: RequestHandler;
}

export function codecSessions(db: Db, options: { ttlMs: number; secure: boolean; databaseMs: number; cacheTtlMs: number }): CodecSessions {
  let secret: Promise<string> | undefined;
  const signingKey = () =>
    (secret ??= callDatabase(options.databaseMs, () => generatedSecret(db, SECRET, () => randomBytes(32).toString('base64url'))).catch(
      (err: unknown) => {
        secret = undefined;
        throw err;
      },
    ));
  const sign = (key: string, keyId: string, exp: number) =>
    createHmac('sha256', key).update(`codec-session:${keyId}:${exp}`).digest('base64url');
  const attributes = `Path=/codec; HttpOnly; SameSite=Strict${options.secure ? '; Secure' : ''}`;
  const verified = new VerifiedKeys(options.cacheTtlMs);

  async function principalOf(token: string): Promise<Principal | null> {
    const m = /^(key_[a-z0-9]{1,40})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return null;
    const [, keyId, exp, sig] = m as unknown as [string, string, string, string];
    if (Number(exp) * 1000 < Date.now()) return null;
    const expected = Buffer.from(sign(await signingKey(), keyId, Number(exp)));
    if (!timingSafeEqual(expected, Buffer.from(sig))) return null;
    return verified.resolve(`session:${keyId}`, () => callDatabase(options.databaseMs, () => findPrincipalById(db, keyId)));
  }

  return {
    async signIn(principal) {
      const expiresAt = new Date(Date.now() + options.ttlMs);
      const exp = Math.floor(expiresAt.getTime() / 1000);
      const token = `${principal.keyId}.${exp}.${sign(await signingKey(), principal.keyId, exp)}`;
      return { cookie: `${SESSION_COOKIE}=${token}; Max-Age=${Math.floor(options.ttlMs / 1000)}; ${attributes}`, expiresAt };
    },
    signOut: () => `${SESSION_COOKIE}=; Max-Age=0; ${attributes}`,
    middleware: async (req, _res, next) => {
      if (req.get('authorization') !== undefined) return next();
      const token = cookieValue(req.get('cookie'), SESSION_COOKIE);
      const principal = token ? await principalOf(token) : null;
      if (principal) req.principal = principal;
      next();
    },
  };
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
