import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoCustomers } from '../src/db/seed';
import { csatLinkSecret, csatToken } from '../src/delivery/csatLinks';
import { startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';
import { maybeRecordHistory } from './support/histories';
import { everyQuadrant, testPolicy, waitForTicket } from './support/tickets';
import { waitFor } from './support/waitFor';
import { startReceiver } from './support/webhookReceiver';

// CSAT by link: the survey carries a signed, expiring link to a tiny page; the page records the
// score; a bare number replied to the survey is a score too, never a reopen.

let stack: TestStack<'service' | 'admin'>;
let hooks: Awaited<ReturnType<typeof startReceiver>>;

beforeAll(async () => {
  stack = await startTestStack({
    policy: testPolicy({
      quadrants: everyQuadrant('ai_auto'),
      timers: { customerReplyWindow: '1h', unresolvedTimeout: '1h', csatDelay: '100ms', csatWindow: '1h', reopenWindow: '1h' },
    }),
    keys: { service: 'service', admin: 'admin' },
  });
  hooks = await startReceiver();
  const endpoint = await call(stack.url, 'POST', '/v1/webhooks', {
    key: stack.keys.admin,
    body: { url: `${hooks.url}/csat`, events: ['ticket.message', 'ticket.csat_requested'], integration: stack.names.service },
  });
  hooks.setSecret(endpoint.body.secret);
});

afterAll(async () => {
  await hooks?.close();
  await stack?.close();
});

/** A ticket the AI answers and the customer confirms: resolved, so its survey goes out. */
async function resolvedTicket(subject = 'How do I reset my password?') {
  const created = await call(stack.url, 'POST', '/v1/tickets', {
    key: stack.keys.service,
    body: { customer: { id: demoCustomers.freeTier }, channel: 'chat', subject, body: 'Hi, how do I reset my password? I forgot it.' },
  });
  const { ticketId } = created.body;
  await waitForTicket(stack.url, stack.keys.admin, ticketId, (s) => s.status === 'awaiting_customer');
  await call(stack.url, 'POST', `/v1/tickets/${ticketId}/messages`, { key: stack.keys.service, body: { body: 'Thanks, that worked!' } });
  const survey = await waitFor(
    async () => hooks.events('ticket.csat_requested').find((e) => e.data.ticket.id === ticketId),
    (e) => e !== undefined,
    { describe: `the survey of ${ticketId}` },
  );
  return { ticketId, surveyUrl: survey.data.surveyUrl as string, expiresAt: survey.data.expiresAt as string };
}

const page = (surveyUrl: string) => `${stack.url}${new URL(surveyUrl).pathname}`;
const postForm = (url: string, form: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });

describe('the survey link', () => {
  it('goes out in the survey message and the csat_requested event, signed and expiring with the survey', async () => {
    const { ticketId, surveyUrl, expiresAt } = await resolvedTicket();
    expect(surveyUrl).toMatch(new RegExp(`/csat/${ticketId}\\.\\d+\\.[A-Za-z0-9_-]{32}$`));
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now() + 50 * 60_000);
    const message = hooks.events('ticket.message').find((e) => e.data.ticket.id === ticketId && e.data.message.kind === 'csat_survey');
    expect(message.data.message.body).toContain(surveyUrl);
    expect(hooks.received.every((r) => r.verified)).toBe(true);
    const conversation = await call(stack.url, 'GET', `/v1/tickets/${ticketId}/conversation`, { key: stack.keys.service });
    expect(conversation.body.csat.surveyUrl).toBe(surveyUrl);
  });

  it('opens a page of five buttons that records the score, then thanks instead of asking again', async () => {
    const { ticketId, surveyUrl } = await resolvedTicket();
    const form = await fetch(page(surveyUrl));
    expect(form.status).toBe(200);
    expect(form.headers.get('content-type')).toMatch(/text\/html/);
    expect(form.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await form.text();
    expect(html.match(/<button type="submit" name="score" value="[1-5]">/g)).toHaveLength(5);
    expect(html).not.toMatch(/<script/i);

    const answered = await postForm(page(surveyUrl), { score: '4', comment: 'Quick <b>and</b> kind' });
    expect(answered.status).toBe(200);
    expect(await answered.text()).toMatch(/rated this request 4 out of 5/);
    const state = await waitForTicket(stack.url, stack.keys.admin, ticketId, (s) => s.csat.score !== null);
    expect(state.csat).toMatchObject({ score: 4, comment: 'Quick <b>and</b> kind' });
    expect(await (await fetch(page(surveyUrl))).text()).toMatch(/You rated this request 4 out of 5/);
    expect((await postForm(page(surveyUrl), { score: '1' })).status).toBe(409);
  });

  it('answers a score outside 1–5 with the form again, saying so', async () => {
    const { surveyUrl } = await resolvedTicket();
    const res = await postForm(page(surveyUrl), { score: '9' });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/choose a score from 1 to 5/);
  });

  it('escapes what it shows', async () => {
    const { surveyUrl } = await resolvedTicket('<script>alert("x")</script> & "reset"');
    const html = await (await fetch(page(surveyUrl))).text();
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;reset&quot;');
    expect(html).not.toContain('<script>alert');
  });

  it('refuses a forged link and an expired one', async () => {
    const { ticketId, surveyUrl } = await resolvedTicket();
    const forged = surveyUrl.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expect((await fetch(page(forged))).status).toBe(404);
    expect((await fetch(`${stack.url}/csat/not-a-token`)).status).toBe(404);
    const secret = await csatLinkSecret(stack.database.db);
    const expired = await fetch(`${stack.url}/csat/${csatToken(secret, ticketId, Date.now() - 1000)}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toMatch(/survey has closed/);
    expect((await postForm(`${stack.url}/csat/${csatToken(secret, ticketId, Date.now() - 1000)}`, { score: '5' })).status).toBe(410);
  });
});

describe('a number replied to the survey', () => {
  it('is the score, never a reopen', async () => {
    const { ticketId } = await resolvedTicket();
    const sent = await call(stack.url, 'POST', `/v1/tickets/${ticketId}/messages`, { key: stack.keys.service, body: { body: ' 5/5 ' } });
    expect(sent.status).toBe(202);
    const state = await waitForTicket(stack.url, stack.keys.admin, ticketId, (s) => s.csat.score !== null);
    expect(state.csat.score).toBe(5);
    expect(state.status).toBe('resolved');
    expect(state.followUps).toBe(0);
    expect(state.timeline.some((e) => e.type === 'reopened')).toBe(false);
    expect(state.timeline.find((e) => e.type === 'csat_received')?.data).toMatchObject({ score: 5, via: 'reply' });
    await maybeRecordHistory('csat-by-reply', `ticket-${ticketId}`);
  });

  it('still leaves POST /v1/tickets/:id/csat working', async () => {
    const { ticketId } = await resolvedTicket();
    expect((await call(stack.url, 'POST', `/v1/tickets/${ticketId}/csat`, { key: stack.keys.service, body: { score: 3 } })).status).toBe(
      202,
    );
    const state = await waitForTicket(stack.url, stack.keys.admin, ticketId, (s) => s.csat.score !== null);
    expect(state.csat.score).toBe(3);
  });
});
