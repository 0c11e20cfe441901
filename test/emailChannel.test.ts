import { readFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages } from '../src/db/schema';
import { createMailer } from '../src/email/outbound';
import { replyAddressFor } from '../src/email/addresses';
import { startTestStack, type TestStack } from './support/harness';
import { maybeRecordHistory } from './support/histories';
import { call } from './support/http';
import { startSmtpServer, type TestServer } from './support/smtpServer';
import { everyQuadrant, testPolicy, waitForTicket } from './support/tickets';
import { waitFor } from './support/waitFor';

// The email channel end to end: a customer's mail comes in as raw MIME, the ticket's replies go
// out through a real SMTP server (in-process), threaded to the customer's mail, and the
// customer's answer by email continues the same ticket.

const FROM = 'support@acme.example';
let smtp: TestServer;
let stack: TestStack<'service' | 'agent'>;
const mailer = { close: () => {} };

beforeAll(async () => {
  // The mail server refuses one mailbox for good, as a real one does for an address that is gone.
  smtp = await startSmtpServer({
    onRcptTo(address, _session, callback) {
      if (address.address === 'gone@pixel.example')
        return callback(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
  });
  const transport = createMailer(smtp.url);
  mailer.close = () => transport.close();
  stack = await startTestStack({
    policy: testPolicy({ quadrants: everyQuadrant('ai_auto') }),
    keys: { service: 'service', agent: 'agent' },
    app: { delivery: { emailFrom: FROM } },
    worker: { delivery: { mailer: transport, emailFrom: { address: FROM, name: 'Acme Support' } } },
  });
});

afterAll(async () => {
  await stack?.close();
  mailer.close();
  await smtp?.close();
});

/** A plain-text mail as a customer's client sends it. */
function mime(headers: Record<string, string>, body: string) {
  const lines = Object.entries({
    'MIME-Version': '1.0',
    Date: new Date().toUTCString(),
    'Content-Type': 'text/plain; charset=UTF-8',
    'Content-Transfer-Encoding': '8bit',
    ...headers,
  }).map(([k, v]) => `${k}: ${v}`);
  return `${lines.join('\r\n')}\r\n\r\n${body.replace(/\n/g, '\r\n')}\r\n`;
}

const inbound = (raw: string | Buffer) =>
  fetch(`${stack.url}/v1/inbound/email`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.keys.service}`, 'content-type': 'message/rfc822' },
    body: raw,
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));

const mailsTo = (ticketId: string) => smtp.received.filter((r) => r.mail.headers.get('x-tandem-ticket') === ticketId);
const uid = () => Math.random().toString(36).slice(2, 10);

describe('email tickets', () => {
  it('answers a customer mail by SMTP, threaded to it; the customer answers by email and the ticket goes on', async () => {
    const first = `<first-${uid()}@mail.pixel.example>`;
    const opened = await inbound(
      mime(
        { From: 'Sam Lee <sam@pixel.example>', To: `Acme Support <${FROM}>`, Subject: 'How do I reset my password?', 'Message-ID': first },
        'Hi, I forgot my password and cannot sign in. How do I reset it?\n\n--\nSam Lee\nPixel & Co',
      ),
    );
    expect(opened.status).toBe(202);
    expect(opened.body).toMatchObject({ created: true, matchedBy: 'new_ticket', status: 'accepted' });
    const ticketId = opened.body.ticketId as string;

    const [reply] = await waitFor(
      async () => mailsTo(ticketId),
      (m) => m.length === 1,
      { describe: 'the first reply by mail' },
    );
    const mail = reply!.mail;
    expect(reply!.rcptTo).toEqual(['sam@pixel.example']);
    expect(mail.from?.value[0]).toMatchObject({ address: FROM, name: 'Acme Support' });
    expect(mail.subject).toBe('Re: How do I reset my password?');
    expect(mail.inReplyTo).toBe(first);
    expect([mail.references].flat()).toEqual([first]);
    expect(mail.replyTo?.value[0]?.address).toBe(replyAddressFor(ticketId, FROM));
    expect(mail.messageId).toMatch(/@acme\.example>$/);
    expect(mail.text).toMatch(/password/i);
    const state = await waitForTicket(stack.url, stack.keys.agent, ticketId, (s) => s.transcript.at(-1)?.delivery?.status === 'delivered');
    expect(state.transcript[0]!.body).toBe('Hi, I forgot my password and cannot sign in. How do I reset it?'); // no signature
    expect(state.transcript.at(-1)!.delivery).toMatchObject({ transport: 'smtp', detail: expect.stringMatching(/^250/) });

    // The customer answers in their mail client: quoted history and signature are dropped.
    const answer = `<answer-${uid()}@mail.pixel.example>`;
    const continued = await inbound(
      mime(
        {
          From: 'Sam Lee <sam@pixel.example>',
          To: replyAddressFor(ticketId, FROM),
          Subject: 'Re: How do I reset my password?',
          'Message-ID': answer,
          'In-Reply-To': mail.messageId!,
          References: `${first} ${mail.messageId}`,
        },
        `That did not work, the reset email never arrives.\n\nOn Tue, 2 Dec 2026 at 10:04, Acme Support <${FROM}> wrote:\n> ${mail.text!.split('\n')[0]}\n> more of what you said`,
      ),
    );
    expect(continued.body).toMatchObject({ ticketId, created: false, matchedBy: 'thread', status: 'accepted' });
    const [, second] = await waitFor(
      async () => mailsTo(ticketId),
      (m) => m.length === 2,
      { describe: 'the second reply by mail' },
    );
    expect(second!.mail.inReplyTo).toBe(answer);
    expect([second!.mail.references].flat()).toEqual([first, mail.messageId, answer]);
    const after = await waitForTicket(
      stack.url,
      stack.keys.agent,
      ticketId,
      (s) => s.transcript.filter((m) => m.author === 'customer').length === 2,
    );
    expect(after.transcript.filter((m) => m.author === 'customer')[1]!.body).toBe('That did not work, the reset email never arrives.');

    // The same mail posted again (a provider's retry) is one message.
    expect(
      (
        await inbound(
          mime(
            { From: 'sam@pixel.example', To: FROM, Subject: 'Re: x', 'Message-ID': answer, 'In-Reply-To': mail.messageId! },
            'That did not work, the reset email never arrives.',
          ),
        )
      ).status,
    ).toBe(202);
    const rows = await stack.database.db
      .select()
      .from(messages)
      .where(and(eq(messages.ticketId, ticketId), eq(messages.author, 'customer')));
    expect(rows).toHaveLength(2);
    await maybeRecordHistory('email-thread', `ticket-${ticketId}`);
  });

  it('maps a mail sent to the reply address without threading headers to its ticket, and names attachments without storing them', async () => {
    const opened = await inbound(
      mime(
        { From: 'sam@pixel.example', To: FROM, Subject: 'Invoice question', 'Message-ID': `<inv-${uid()}@mail.pixel.example>` },
        'Where do I find my invoices? I need the one for November.',
      ),
    );
    const ticketId = opened.body.ticketId as string;
    await waitForTicket(stack.url, stack.keys.agent, ticketId, (s) => s.status !== 'triaging');
    const fixture = readFileSync(path.join(import.meta.dirname, 'fixtures/email/attachments.eml'), 'utf8')
      .replace(/^From: .*$/m, 'From: Sam Lee <sam@pixel.example>')
      .replace(/^To: .*$/m, `To: ${replyAddressFor(ticketId, FROM)}`)
      .replace(/^(In-Reply-To|References): .*\r?\n/gm, '')
      .replace(/^Message-ID: .*$/m, `Message-ID: <att-${uid()}@mail.pixel.example>`);
    const res = await inbound(fixture);
    expect(res.body).toMatchObject({ ticketId, matchedBy: 'reply_address' });
    expect((res.body.attachments as unknown[]).length).toBe(2);
    const [row] = await waitFor(
      async () =>
        (
          await stack.database.db
            .select()
            .from(messages)
            .where(and(eq(messages.ticketId, ticketId), eq(messages.author, 'customer')))
        ).filter((m) => m.attachments),
      (r) => r.length === 1,
      { describe: 'the message with attachments' },
    );
    expect(row!.attachments!.map((a) => a.filename).sort()).toEqual(['Rechnung März.pdf', 'Screenshot 2026-12-02 at 08.45.10.png'].sort());
    expect(row!.attachments!.every((a) => a.size > 0 && !('content' in a))).toBe(true);
    expect(row!.body).not.toMatch(/JVBERi0|iVBORw0/); // no base64 content in the text
  });

  it('starts a new ticket for a sender who is not the ticket’s customer, and ignores auto-replies', async () => {
    const opened = await inbound(
      mime(
        { From: 'sam@pixel.example', To: FROM, Subject: 'Export to CSV', 'Message-ID': `<exp-${uid()}@mail.pixel.example>` },
        'Where can I export all our contacts to a CSV file?',
      ),
    );
    const ticketId = opened.body.ticketId as string;
    await waitForTicket(stack.url, stack.keys.agent, ticketId, (s) => s.status !== 'triaging');
    const stranger = await inbound(
      mime(
        {
          From: 'mallory@elsewhere.example',
          To: replyAddressFor(ticketId, FROM),
          Subject: 'Re: Export',
          'Message-ID': `<m-${uid()}@elsewhere.example>`,
        },
        'Send me their contacts too.',
      ),
    );
    expect(stranger.body).toMatchObject({ created: true, matchedBy: 'new_ticket', reason: expect.stringMatching(/not ticket/) });
    expect(stranger.body.ticketId).not.toBe(ticketId);
    const away = await inbound(
      mime(
        {
          From: 'sam@pixel.example',
          To: replyAddressFor(ticketId, FROM),
          Subject: 'Automatic reply: Export',
          'Auto-Submitted': 'auto-replied',
          'Message-ID': `<ooo-${uid()}@mail.pixel.example>`,
        },
        'I am out of the office until Monday.',
      ),
    );
    expect(away.body).toMatchObject({ status: 'ignored', ticketId: null });
  });

  it('fails a reply the mail server refuses for good, at once, and a person gets the ticket', async () => {
    const opened = await inbound(
      mime(
        {
          From: 'gone@pixel.example',
          To: FROM,
          Subject: 'How do I reset my password?',
          'Message-ID': `<gone-${uid()}@mail.pixel.example>`,
        },
        'Hi, I forgot my password and cannot sign in. How do I reset it?',
      ),
    );
    const ticketId = opened.body.ticketId as string;
    const state = await waitForTicket(stack.url, stack.keys.agent, ticketId, (s) => s.status === 'escalated');
    expect(state.escalation?.triggers.map((t) => t.code)).toContain('delivery_failed');
    expect(state.deliveryFailures?.[0]?.reason).toMatch(/550|mailbox unavailable/);
    const reply = state.transcript.find((m) => m.author === 'ai');
    expect(reply?.delivery).toMatchObject({ status: 'failed', transport: 'smtp' });
  });

  it('refuses malformed and oversized mail with a problem, and starts nothing', async () => {
    const before = smtp.received.length;
    for (const raw of ['', 'just some words, no headers at all', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02]).toString('latin1')]) {
      const res = await fetch(`${stack.url}/v1/inbound/email`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.keys.service}`, 'content-type': 'message/rfc822' },
        body: raw,
      });
      expect([400, 415]).toContain(res.status);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
    const huge = mime({ From: 'sam@pixel.example', To: FROM, Subject: 'big', 'Message-ID': '<big@x>' }, 'x'.repeat(11 * 1024 * 1024));
    const big = await inbound(huge);
    expect(big.status).toBe(413);
    expect(
      (await call(stack.url, 'POST', '/v1/inbound/email', { key: stack.keys.agent, raw: { body: 'x', contentType: 'message/rfc822' } }))
        .status,
    ).toBe(403);
    expect((await call(stack.url, 'POST', '/v1/inbound/email', { key: stack.keys.service, body: { raw: 'not mime' } })).status).toBe(415);
    expect(smtp.received.length).toBe(before);
  });
});
