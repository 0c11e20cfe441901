import { ValueError, type Payload } from '@temporalio/common';
import { z } from 'zod';
import type { Db } from '../../db/client';
import { EncryptionCodec } from '../../temporal/codec';
import type { KeyRing } from '../../temporal/keyRing';
import { allowedRoles, findPrincipal, hashKey } from '../auth';
import { codecPage, codecPageHeaders } from '../codecPage';
import type { CodecSessions } from '../codecSession';
import { callDatabase } from '../dependencies';
import { problems } from '../problems';
import { commonResponses, defineRoute, problemResponse, type Reply, type RouteSpec } from '../route';

/**
 * The codec server Temporal Web and the Temporal CLI call (POST <endpoint>/encode and /decode,
 * Payloads as protobuf JSON: metadata values and data base64), so ops read encrypted tickets
 * where they read everything else. Decoding hands out every ticket's text, so only leads and
 * admins may: the roles that already read across the whole queue and run the policy. Encode
 * (Temporal Web's "start workflow" and signal forms, `temporal workflow signal --input`) is
 * theirs too, so what they send is encrypted like everything else.
 */

const base64 = z.base64();
const JsonPayload = z
  .looseObject({
    metadata: z.record(z.string(), base64).nullish(),
    data: base64.nullish(),
  })
  .meta({ id: 'CodecPayload', description: 'A Temporal Payload in protobuf JSON: metadata values and data are base64.' });
const JsonPayloads = z
  .object({ payloads: z.array(JsonPayload).max(10_000) })
  .meta({ id: 'CodecPayloads', description: 'A Temporal Payloads message in protobuf JSON.' });
type JsonPayload = z.infer<typeof JsonPayload>;

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')])),
  data: data ? Buffer.from(data, 'base64') : new Uint8Array(),
});
const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(Object.entries(metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  data: Buffer.from(data ?? new Uint8Array()).toString('base64'),
});

export interface CodecRouteDeps {
  db: Db;
  ring: KeyRing;
  sessions: CodecSessions;
  databaseMs: number;
  /** The endpoint to give Temporal Web and the CLI (`<public URL>/codec`), shown on the sign-in page. */
  endpoint: string;
}

const codecRoles = allowedRoles(['lead']);
const SignIn = z
  .object({ key: z.string().trim().min(1).max(500).optional(), signOut: z.literal('1').optional() })
  .meta({ id: 'CodecSignIn' });

export function codecRoutes(deps: CodecRouteDeps): RouteSpec[] {
  const codec = new EncryptionCodec(deps.ring);
  const page = (status: number, content: Parameters<typeof codecPage>[0], cookie?: string): Reply => ({
    status,
    body: codecPage(content),
    contentType: 'text/html',
    headers: { ...codecPageHeaders, ...(cookie ? { 'Set-Cookie': cookie } : {}) },
  });

  const convert = (direction: 'encode' | 'decode') =>
    defineRoute({
      method: 'post',
      path: `/codec/${direction}`,
      operationId: `codec${direction === 'encode' ? 'Encode' : 'Decode'}`,
      tag: 'Operations',
      summary: direction === 'decode' ? 'Decrypt payloads for Temporal Web and the CLI' : 'Encrypt payloads for Temporal Web and the CLI',
      description:
        'The codec server protocol of Temporal Web (`--ui-codec-endpoint`) and the CLI (`--codec-endpoint`): the body and the answer are Payloads in protobuf JSON. Authenticated by `Authorization: Bearer <key>` (the CLI: `--codec-auth`) or the session cookie of `/codec/session` (Temporal Web, with "include cross-origin credentials"); CORS answers only the configured Temporal Web origins. A payload under a key not in the ring is a 400 naming the key.',
      roles: ['lead'],
      acceptsSession: true,
      bodyLimit: '16mb',
      body: JsonPayloads,
      headers: [{ name: 'X-Namespace', description: "The payloads' namespace (sent by Temporal Web and the CLI; informational)." }],
      responses: { 200: { description: 'The payloads, converted in order.', schema: JsonPayloads }, ...commonResponses },
      async handle({ body }) {
        const { payloads } = body as z.infer<typeof JsonPayloads>;
        try {
          const converted = await codec[direction](payloads.map(fromJson));
          return { status: 200, body: { payloads: converted.map(toJson) } };
        } catch (err) {
          if (err instanceof ValueError) throw problems.invalid([{ field: 'body.payloads', message: err.message }]);
          throw err;
        }
      },
    });

  return [
    convert('decode'),
    convert('encode'),
    defineRoute({
      method: 'get',
      path: '/codec/session',
      operationId: 'codecSessionPage',
      tag: 'Operations',
      summary: 'Sign in for Temporal Web: the page where a lead or admin enters an API key',
      roles: 'public',
      responses: { 200: { description: 'An HTML page.', contentType: 'text/html' } },
      handle: async () => page(200, { endpoint: deps.endpoint }),
    }),
    defineRoute({
      method: 'post',
      path: '/codec/session',
      operationId: 'codecSessionSignIn',
      tag: 'Operations',
      summary: 'Sign in (a lead or admin key) or out; sets the session cookie Temporal Web sends to the codec server',
      roles: 'public',
      bodyType: 'form',
      body: SignIn,
      responses: {
        200: { description: 'Signed in or out: an HTML page, with Set-Cookie.', contentType: 'text/html' },
        400: problemResponse('Neither a key nor sign-out was sent.'),
        401: { description: 'The key is unknown or revoked: the page again, saying so.', contentType: 'text/html' },
        403: { description: 'The key is not a lead or admin key.', contentType: 'text/html' },
      },
      async handle({ body }) {
        const { key, signOut } = body as z.infer<typeof SignIn>;
        if (signOut) return page(200, { endpoint: deps.endpoint, message: 'Signed out.' }, deps.sessions.signOut());
        if (!key) throw problems.invalid([{ field: 'body.key', message: 'an API key is required' }]);
        const principal = await callDatabase(deps.databaseMs, () => findPrincipal(deps.db, hashKey(key)));
        if (!principal) return page(401, { endpoint: deps.endpoint, error: 'That API key is unknown or revoked.' });
        if (!codecRoles.includes(principal.role)) {
          return page(403, { endpoint: deps.endpoint, error: `A ${principal.role} key may not read payloads; use a lead or admin key.` });
        }
        const { cookie, expiresAt } = await deps.sessions.signIn(principal);
        return page(200, { endpoint: deps.endpoint, signedInAs: principal.name, until: expiresAt }, cookie);
      },
    }),
  ];
}
