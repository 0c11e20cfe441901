import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { settings } from '../db/schema';

// The CSAT survey's link: a token per ticket and survey, signed with a key every Tandem process
// shares (generated once into the database, or CSAT_LINK_SECRET), expiring with the survey's
// window. The customer needs no key: holding the link is the permission to rate that ticket.

const SETTING = 'csat_link_secret';

/** The signing key: CSAT_LINK_SECRET when set, else one generated once and kept in `settings`. */
export async function csatLinkSecret(db: Db, configured?: string): Promise<string> {
  if (configured) return configured;
  await db
    .insert(settings)
    .values({ key: SETTING, value: randomBytes(32).toString('base64url') })
    .onConflictDoNothing();
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, SETTING));
  if (!row) throw new Error('the CSAT link secret could not be stored');
  return row.value;
}

const signature = (secret: string, ticketId: string, expiresAtSec: number) =>
  createHmac('sha256', secret).update(`csat:${ticketId}:${expiresAtSec}`).digest('base64url').slice(0, 32);

/** `<ticketId>.<expiry in epoch seconds>.<signature>`: ticket ids are [A-Za-z0-9_.:-], so the parts split cleanly from the right. */
export function csatToken(secret: string, ticketId: string, expiresAt: number): string {
  const exp = Math.ceil(expiresAt / 1000);
  return `${ticketId}.${exp}.${signature(secret, ticketId, exp)}`;
}

export type TokenCheck = { ok: true; ticketId: string; expiresAt: number } | { ok: false; why: 'malformed' | 'forged' | 'expired' };

export function verifyCsatToken(secret: string, token: string, now = Date.now()): TokenCheck {
  const m = token.match(/^([A-Za-z0-9_.:-]{1,100})\.(\d{1,12})\.([A-Za-z0-9_-]{32})$/);
  if (!m) return { ok: false, why: 'malformed' };
  const [, ticketId, exp, sig] = m as unknown as [string, string, string, string];
  const expected = Buffer.from(signature(secret, ticketId, Number(exp)));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, why: 'forged' };
  const expiresAt = Number(exp) * 1000;
  if (expiresAt < now) return { ok: false, why: 'expired' };
  return { ok: true, ticketId, expiresAt };
}

/** The survey page's address for a ticket. */
export const csatLink = (publicUrl: string, secret: string, ticketId: string, expiresAt: number) =>
  `${publicUrl.replace(/\/+$/, '')}/csat/${csatToken(secret, ticketId, expiresAt)}`;

/**
 * Links and checks over one process's signing key, read from the database once (a lookup that
 * failed, the database being down, is tried again next time).
 */
export function csatLinks(db: Db, options: { publicUrl: string; secret?: string | undefined }) {
  let key: Promise<string> | undefined;
  const signingKey = () =>
    (key ??= csatLinkSecret(db, options.secret).catch((err: unknown) => {
      key = undefined;
      throw err;
    }));
  return {
    link: async (ticketId: string, expiresAt: number) => csatLink(options.publicUrl, await signingKey(), ticketId, expiresAt),
    verify: async (token: string) => verifyCsatToken(await signingKey(), token),
  };
}
