import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { listApiKeys, revokeApiKey } from '../src/api/auth';
import { workflowIdFor } from '../src/domain/ids';
import { EncryptionCodec } from '../src/temporal/codec';
import { resolveTemporalCli } from '../src/temporal/localServer';
import { parseKeyRing } from '../src/temporal/keyRing';
import { testWebOrigin } from './support/encryption';
import { startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';
import { everyQuadrant, testPolicy, waitForTicket } from './support/tickets';

// The codec server as Temporal Web and the Temporal CLI use it: the protocol, who may call it,
// the browser session and CORS, and the CLI reading a real ticket's history with and without it.

const run = promisify(execFile);
let stack: TestStack<'service' | 'agent' | 'lead' | 'admin' | 'revoked'>;
const json = (value: unknown) => {
  const p = defaultPayloadConverter.toPayload(value);
  return {
    metadata: Object.fromEntries(Object.entries(p.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
    data: Buffer.from(p.data!).toString('base64'),
  };
};
const valueOf = (payload: { data: string }) => JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8'));

beforeAll(async () => {
  stack = await startTestStack({
    policy: testPolicy({ quadrants: everyQuadrant('ai_review') }),
    keys: { service: 'service', agent: 'agent', lead: 'lead', admin: 'admin', revoked: 'lead' },
    app: { authCacheTtlMs: 0 },
  });
});
afterAll(() => stack?.close());

describe('the codec protocol', () => {
  it('encodes and decodes Payloads in protobuf JSON, for a lead (bearer key) and an admin', async () => {
    const encoded = await call(stack.url, 'POST', '/codec/encode', {
      key: stack.keys.lead,
      body: { payloads: [json({ body: 'a secret complaint' }), json('second')] },
      headers: { 'x-namespace': 'default' },
    });
    expect(encoded.status).toBe(200);
    expect(encoded.body.payloads).toHaveLength(2);
    expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(encoded.body.payloads[0].data, 'base64').toString('latin1')).not.toContain('secret complaint');
    const decoded = await call(stack.url, 'POST', '/codec/decode', { key: stack.keys.admin, body: encoded.body });
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads.map(valueOf)).toEqual([{ body: 'a secret complaint' }, 'second']);
  });

  it('passes unencrypted payloads through, and names a key the ring does not hold (400)', async () => {
    const plain = json({ hello: 'world' });
    const through = await call(stack.url, 'POST', '/codec/decode', { key: stack.keys.lead, body: { payloads: [plain] } });
    expect(through.body.payloads).toEqual([plain]);

    const foreign = new EncryptionCodec(parseKeyRing('retired-2020:' + Buffer.alloc(32, 7).toString('base64')));
    const [sealed] = await foreign.encode([defaultPayloadConverter.toPayload('x')]);
    const body = {
      payloads: [
        {
          metadata: Object.fromEntries(Object.entries(sealed!.metadata!).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
          data: Buffer.from(sealed!.data!).toString('base64'),
        },
      ],
    };
    const refused = await call(stack.url, 'POST', '/codec/decode', { key: stack.keys.lead, body });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].message).toMatch(/key "retired-2020"/);
  });

  it('is for leads and admins only: no key 401 (before any 400), service and agent 403', async () => {
    const noKey = await call(stack.url, 'POST', '/codec/decode', { raw: { body: '{not json', contentType: 'application/json' } });
    expect(noKey.status).toBe(401);
    for (const role of ['service', 'agent'] as const) {
      expect((await call(stack.url, 'POST', '/codec/decode', { key: stack.keys[role], body: { payloads: [] } })).status, role).toBe(403);
    }
  });
});

describe('Temporal Web: a session cookie and CORS for its origin', () => {
  const signIn = (key: string) =>
    call(stack.url, 'POST', '/codec/session', {
      raw: { body: `key=${encodeURIComponent(key)}`, contentType: 'application/x-www-form-urlencoded' },
    });
  const cookieOf = (res: { headers: Headers }) => res.headers.get('set-cookie')!.split(';')[0]!;

  it('signs a lead in with an HttpOnly, SameSite=Strict cookie scoped to /codec that decodes from the browser origin', async () => {
    const page = await call(stack.url, 'GET', '/codec/session');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const signedIn = await signIn(stack.keys.lead);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body).toContain(stack.names.lead);
    const setCookie = signedIn.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/^tandem_codec_session=key_/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).toMatch(/Path=\/codec/);
    expect(setCookie).not.toContain(stack.keys.lead);

    const preflight = await fetch(`${stack.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: {
        origin: testWebOrigin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-namespace',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(testWebOrigin);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/X-Namespace/);

    const decoded = await call(stack.url, 'POST', '/codec/decode', {
      body: { payloads: [json('hi')] },
      headers: { cookie: cookieOf(signedIn), origin: testWebOrigin, 'x-namespace': 'default' },
    });
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(testWebOrigin);
  });

  it('refuses other origins, agent keys, forged cookies and the sessions of revoked keys', async () => {
    const other = await fetch(`${stack.url}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.status).toBe(403);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect((await signIn(stack.keys.agent)).status).toBe(403);
    expect((await signIn('tdm_lead_made-up')).status).toBe(401);

    const session = cookieOf(await signIn(stack.keys.revoked));
    const decode = (cookie: string) => call(stack.url, 'POST', '/codec/decode', { body: { payloads: [] }, headers: { cookie } });
    expect((await decode(session)).status).toBe(200);
    expect((await decode(session.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')))).status).toBe(401);
    const revoked = (await listApiKeys(stack.database.db)).find((k) => k.name === stack.names.revoked)!;
    await revokeApiKey(stack.database.db, revoked.id);
    expect((await decode(session)).status).toBe(401);
  });
});

describe('the Temporal CLI on a ticket', () => {
  const marker = { email: 'noor.codec-cli@example.org', body: 'Zebra-quartz invoice 77 was charged three times' };
  let workflowId: string;
  const show = async (...extra: string[]) => {
    const cli = resolveTemporalCli();
    const { stdout } = await run(
      cli.path!,
      ['workflow', 'show', '--workflow-id', workflowId, '--address', inject('temporalAddress'), ...extra],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return stdout;
  };

  beforeAll(async () => {
    const created = await call(stack.url, 'POST', '/v1/tickets', {
      key: stack.keys.service,
      body: { customer: { email: marker.email }, channel: 'chat', subject: 'Charged three times', body: marker.body },
    });
    expect(created.status).toBe(201);
    workflowId = workflowIdFor(created.body.ticketId);
    await waitForTicket(stack.url, stack.keys.service, created.body.ticketId, (s) => s.status === 'awaiting_review');
  });

  it('without the codec prints only ciphertext', async () => {
    for (const output of [await show(), await show('--detailed'), await show('-o', 'json')]) {
      expect(output).toMatch(/WorkflowExecutionStarted|EVENT_TYPE_WORKFLOW_EXECUTION_STARTED/);
      expect(output).not.toContain(marker.email);
      expect(output).not.toContain('Zebra-quartz');
      expect(output).not.toContain(Buffer.from('Zebra-quartz').toString('base64').slice(0, 12));
    }
    expect(await show('-o', 'json')).toContain(Buffer.from('binary/encrypted').toString('base64'));
  });

  it('with --codec-endpoint and a lead key prints the ticket as readable JSON', async () => {
    const output = await show('--detailed', '--codec-endpoint', `${stack.url}/codec`, '--codec-auth', `Bearer ${stack.keys.lead}`);
    expect(output).toContain(marker.email);
    expect(output).toContain(marker.body);
  });

  it('keeps email and message text out of search attributes and current details', async () => {
    const handle = stack.client.workflow.getHandle(workflowId);
    const description = await handle.describe();
    const attributes = JSON.stringify(Object.fromEntries(description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value])));
    expect(attributes).toContain('awaiting_review');
    const { currentDetails } = (await handle.query('__temporal_workflow_metadata')) as { currentDetails: string };
    expect(currentDetails).toContain('awaiting_review');
    for (const text of [attributes, currentDetails]) {
      expect(text).not.toContain(marker.email);
      expect(text).not.toContain('Zebra');
      expect(text).not.toContain('Charged three times');
    }
  });
});
