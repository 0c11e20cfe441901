import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { demoCustomers } from '../src/db/seed';
import { startTestStack, type TestStack } from './support/harness';
import { call } from './support/http';
import { everyQuadrant, testPolicy, waitForTicket } from './support/tickets';
import { waitFor } from './support/waitFor';

// The survey page in a real browser with JavaScript switched off: the customer clicks a score
// and the ticket records it. Chromium from Debian (`apt-get install chromium`), as .ci/run installs it.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
let stack: TestStack<'service' | 'lead'>;
let browser: Browser;

beforeAll(async () => {
  stack = await startTestStack({
    policy: testPolicy({
      quadrants: everyQuadrant('ai_auto'),
      timers: { customerReplyWindow: '1h', unresolvedTimeout: '1h', csatDelay: '50ms', csatWindow: '1h', reopenWindow: '1h' },
    }),
    keys: { service: 'service', lead: 'lead' },
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

it('records the score a customer clicks on the survey page, without JavaScript', async () => {
  const created = await call(stack.url, 'POST', '/v1/tickets', {
    key: stack.keys.service,
    body: {
      customer: { id: demoCustomers.freeTier },
      channel: 'chat',
      subject: 'Reset <my> password',
      body: 'How do I reset my password? I forgot it.',
    },
  });
  const { ticketId } = created.body;
  await waitForTicket(stack.url, stack.keys.service, ticketId, (s) => s.status === 'awaiting_customer');
  await call(stack.url, 'POST', `/v1/tickets/${ticketId}/messages`, { key: stack.keys.service, body: { body: 'Thanks, that worked!' } });
  const surveyUrl = await waitFor(
    async () =>
      (await call(stack.url, 'GET', `/v1/tickets/${ticketId}/conversation`, { key: stack.keys.service })).body.csat.surveyUrl as
        string | null,
    (url) => url !== null,
    { describe: 'the survey link' },
  );

  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${stack.url}${new URL(surveyUrl!).pathname}`);
  expect(await page.locator('h1').textContent()).toBe('How did we do?');
  expect(await page.locator('strong').textContent()).toBe('Reset <my> password');
  await page.fill('textarea[name=comment]', 'Clear steps, thank you');
  await Promise.all([page.waitForURL(/\/csat\//), page.getByRole('button', { name: /^4/ }).click()]);
  await expect.poll(async () => page.locator('p').textContent()).toMatch(/rated this request 4 out of 5/);
  await context.close();

  const state = await waitForTicket(stack.url, stack.keys.lead, ticketId, (s) => s.csat.score !== null);
  expect(state.csat).toMatchObject({ score: 4, comment: 'Clear steps, thank you' });
});
