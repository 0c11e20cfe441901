import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MalformedEmail, MAX_EMAIL_BYTES, parseInboundEmail } from '../src/email/inbound';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/email/${name}.eml`, import.meta.url));

/** A message from header lines and a body, CRLF as on the wire. */
const message = (headers: string[], body: string): Buffer =>
  Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body.replaceAll('\n', '\r\n')}`, 'utf8');

describe('parseInboundEmail: headers in their less common shapes', () => {
  const base = ['From: Sam <sam@contoso.example>', 'To: support@acme.example', 'Subject: Hello'];

  it('normalises ids without brackets, with comments, and folded over lines', async () => {
    const mail = await parseInboundEmail(
      message(
        [
          ...base,
          'Message-ID: abc.123@mailer.example',
          "In-Reply-To: <tkt_1.out.1.aa@acme.example> (Acme Support's message of Mon, 1 Dec 2026)",
          'References: <root@acme.example>',
          '  <tkt_1.out.1.aa@acme.example>',
          '\t<other@contoso.example>',
        ],
        'Thanks',
      ),
    );
    expect(mail.messageId).toBe('<abc.123@mailer.example>');
    expect(mail.inReplyTo).toBe('<tkt_1.out.1.aa@acme.example>');
    expect(mail.references).toEqual(['<root@acme.example>', '<tkt_1.out.1.aa@acme.example>', '<other@contoso.example>']);
  });

  it('gives null and empty values for what is missing, and no date for an unreadable one', async () => {
    const mail = await parseInboundEmail(message(['From: sam@contoso.example', 'Date: sometime last week'], 'Thanks'));
    expect(mail).toMatchObject({ messageId: null, inReplyTo: null, references: [], to: [], cc: [], subject: '', date: null });
    expect(mail.from).toEqual({ address: 'sam@contoso.example', name: null });
  });

  it('takes the first mailbox of a From group and flattens To groups', async () => {
    const mail = await parseInboundEmail(
      message(['From: Team: Sam <SAM@contoso.example>;', 'To: Support: support@acme.example, Billing@Acme.example;'], 'Hi'),
    );
    expect(mail.from).toEqual({ address: 'sam@contoso.example', name: 'Sam' });
    expect(mail.to).toEqual(['support@acme.example', 'billing@acme.example']);
  });

  it('takes the text of an HTML part that sits beside attachments, where mailparser leaves text empty', async () => {
    const mail = await parseInboundEmail(
      message(
        [...base, 'Content-Type: multipart/mixed; boundary="b"'],
        [
          '--b',
          'Content-Type: text/html; charset=utf-8',
          '',
          '<p>The log is attached.</p><blockquote type="cite">Earlier message</blockquote>',
          '--b',
          'Content-Type: text/plain; name="log.txt"',
          'Content-Disposition: attachment; filename="log.txt"',
          '',
          'ERROR 1',
          '--b--',
          '',
        ].join('\n'),
      ),
    );
    expect(mail.text).toBe('The log is attached.');
    expect(mail.fullText).toContain('Earlier message');
    expect(mail.attachments).toEqual([{ filename: 'log.txt', contentType: 'text/plain', size: 7 }]);
  });

  it('falls back to the full text when all of it reads as quotes or signature', async () => {
    const mail = await parseInboundEmail(message(base, '> Can you send the invoice?\n> Thanks'));
    expect(mail.text).toBe('> Can you send the invoice?\n> Thanks');
    expect(mail.text).toBe(mail.fullText);
  });

  it('drops NUL characters, which the database refuses', async () => {
    const mail = await parseInboundEmail(message(base, 'Hello\u0000 there'));
    expect(mail.text).toBe('Hello there');
  });
});

describe('parseInboundEmail: what is not an email', () => {
  /** Bytes that look random but are the same on every run. */
  const noise = (length: number) => {
    const chunks: Buffer[] = [];
    for (let i = 0; chunks.length * 32 < length; i += 1) chunks.push(createHash('sha256').update(`noise ${i}`).digest());
    return Buffer.concat(chunks).subarray(0, length);
  };
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

  const refusal = async (raw: Buffer, options?: { maxBytes?: number }): Promise<MalformedEmail> => {
    const error: unknown = await parseInboundEmail(raw, options).then(
      () => null,
      (err: unknown) => err,
    );
    if (!(error instanceof MalformedEmail)) throw new Error(`expected a MalformedEmail, got ${String(error)}`);
    return error;
  };

  it.each([
    ['an empty body', Buffer.alloc(0), /empty/],
    ['random bytes', noise(4096), /not an email/],
    ['a PNG image', png, /not an email/],
    ['plain words without headers', Buffer.from('Hello, my export fails.\n\nThanks'), /not a header field/],
    ['a blank first line', Buffer.from('\r\nFrom: sam@contoso.example\r\n\r\nHi'), /does not start with email headers/],
    ['headers without a From', message(['To: support@acme.example', 'Subject: Hi'], 'Hello'), /no sender/],
    ['a From without an address', message(['From: undisclosed-recipients:;', 'Subject: Hi'], 'Hello'), /no sender/],
    ['a JSON document', Buffer.from('{"from":"sam@contoso.example","body":"Hi"}'), /no sender/],
    ['a mail without any text', message(['From: sam@contoso.example', 'Subject: Hi'], ''), /no text/],
    [
      'a mail with only an attachment',
      message(['From: sam@contoso.example', 'Content-Type: image/png', 'Content-Transfer-Encoding: base64'], png.toString('base64')),
      /no text/,
    ],
  ])('refuses %s with 400', async (_name, raw, reason) => {
    const error = await refusal(raw);
    expect(error.status).toBe(400);
    expect(error.message).toMatch(reason);
  });

  it('refuses a mail over the limit with 413 before parsing it', async () => {
    const small = await refusal(fixture('gmail-reply'), { maxBytes: 1024 });
    expect(small.status).toBe(413);
    expect(small.message).toMatch(/is 3 KB, over the 1 KB limit: send it again without the large attachments/);
    const large = await refusal(Buffer.concat([fixture('first-mail'), Buffer.alloc(MAX_EMAIL_BYTES)]));
    expect(large.status).toBe(413);
    expect(large.message).toContain('over the 10.0 MB limit');
    expect(MAX_EMAIL_BYTES).toBe(10 * 1024 * 1024);
  });

  it('takes a mail of exactly the limit', async () => {
    const raw = fixture('first-mail');
    await expect(parseInboundEmail(raw, { maxBytes: raw.length })).resolves.toMatchObject({ subject: 'Cannot add a second admin' });
  });
});
