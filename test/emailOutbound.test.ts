import net, { type AddressInfo } from 'node:net';
import type { Options } from 'nodemailer/lib/mailer';
import type { SMTPServerOptions } from 'smtp-server';
import { startSmtpServer, type Received } from './support/smtpServer';
import { afterEach, describe, expect, it } from 'vitest';
import { messageIdFor } from '../src/email/addresses';
import {
  composeReplyEmail,
  createMailer,
  EmailDeliveryError,
  MAX_REFERENCES,
  replySubject,
  type Mailer,
  type ReplyEmail,
} from '../src/email/outbound';

const reply = (overrides: Partial<ReplyEmail> = {}): ReplyEmail => ({
  outboundId: 'tkt_1f3a9c2e5b7d4a60b8e1:out:2',
  ticketId: 'tkt_1f3a9c2e5b7d4a60b8e1',
  to: 'jane.doe@pixel.example',
  subject: 'CSV export fails with a timeout',
  body: 'Hello Jane,\n\nWeekly schedules are under Exports → Schedule.\nPick Monday, 6:00.\n\nAcme Support',
  from: { address: 'support@acme.example', name: 'Acme Support' },
  thread: [
    '<CAH8yC8aaa@mail.gmail.com>',
    '<tkt_1f3a9c2e5b7d4a60b8e1.out.1.0f52aec965b0d9a6@acme.example>',
    '<CAH8yC8kQ2mXv4pJ7n0Zr+Tq3sLw9eFdGb1uYhN5oK6aRc2VxPg@mail.gmail.com>',
  ],
  inReplyTo: '<CAH8yC8kQ2mXv4pJ7n0Zr+Tq3sLw9eFdGb1uYhN5oK6aRc2VxPg@mail.gmail.com>',
  ...overrides,
});

/** An SMTP reply error as smtp-server sends it. */
const smtpError = (responseCode: number, message: string) => Object.assign(new Error(message), { responseCode });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  // Mailers first: the server waits for their pooled connections before it closes.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const server = async (options: SMTPServerOptions = {}) => {
  const s = await startSmtpServer(options);
  cleanups.push(s.close);
  return s;
};
const mailer = (url: string, options?: { timeoutMs?: number }): Mailer => {
  const m = createMailer(url, options);
  cleanups.push(() => m.close());
  return m;
};

/** The error a promise rejects with, which must be an EmailDeliveryError. */
async function deliveryError(promise: Promise<unknown>): Promise<EmailDeliveryError> {
  const error: unknown = await promise.then(
    () => null,
    (err: unknown) => err,
  );
  if (!(error instanceof EmailDeliveryError)) throw new Error(`expected an EmailDeliveryError, got ${String(error)}`);
  return error;
}

describe('composeReplyEmail', () => {
  it.each([
    ['CSV export fails', 'Re: CSV export fails'],
    ['Re: CSV export fails', 'Re: CSV export fails'],
    ['RE: Re: AW: CSV export fails', 'Re: CSV export fails'],
    ['Re[2]: Sv: CSV export fails', 'Re: CSV export fails'],
    ['Fwd: CSV export fails', 'Re: Fwd: CSV export fails'],
    ['Return policy', 'Re: Return policy'],
    ['  Refund\n  request  ', 'Re: Refund request'],
    ['', 'Re:'],
  ])('subject %j → %j', (subject, expected) => {
    expect(replySubject(subject)).toBe(expected);
    expect(composeReplyEmail(reply({ subject })).subject).toBe(expected);
  });

  it('references the thread ending with the answered mail, and never our own id', () => {
    const own = messageIdFor(reply().outboundId, 'support@acme.example');
    const e = reply({ thread: ['<a@x>', own, '<answered@x>', '<b@x>'], inReplyTo: 'answered@x' });
    expect(composeReplyEmail(e)).toMatchObject({ inReplyTo: '<answered@x>', references: ['<a@x>', '<b@x>', '<answered@x>'] });
  });

  it(`keeps the first and the last ${MAX_REFERENCES - 1} ids of a long thread`, () => {
    const thread = Array.from({ length: 45 }, (_, i) => `<m${i}@x>`);
    const references = composeReplyEmail(reply({ thread, inReplyTo: '<m44@x>' })).references;
    expect(references).toEqual(['<m0@x>', ...thread.slice(26)]);
    expect(references).toHaveLength(MAX_REFERENCES);
  });

  it('leaves the threading headers out of a first mail', () => {
    const options = composeReplyEmail(reply({ thread: [], inReplyTo: null }));
    expect(options).not.toHaveProperty('inReplyTo');
    expect(options).not.toHaveProperty('references');
  });

  it('escapes the body in its HTML alternative', () => {
    // Typed as the module-level Options the activities import.
    const options: Options = composeReplyEmail(reply({ body: 'Use <b>1 & 2</b>\r\n\r\nthen "go"\nnow' }));
    expect(options.html).toContain('<p>Use &lt;b&gt;1 &amp; 2&lt;/b&gt;</p>\n<p>then &quot;go&quot;<br>\nnow</p>');
    expect(options.text).toBe('Use <b>1 & 2</b>\r\n\r\nthen "go"\nnow');
  });
});

describe('createMailer against a real SMTP server', () => {
  it('delivers a reply that threads, authenticated with PLAIN', async () => {
    const smtp = await server({
      authOptional: false,
      authMethods: ['PLAIN'],
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        if (auth.username === 'tandem' && auth.password === 's3cret/p@ss') callback(null, { user: auth.username });
        else callback(smtpError(535, 'Authentication failed'));
      },
    });
    const e = reply();
    const sent = await mailer(`smtp://tandem:${encodeURIComponent('s3cret/p@ss')}@127.0.0.1:${smtp.port}`).send(composeReplyEmail(e));

    const ourId = messageIdFor(e.outboundId, e.from.address);
    expect(sent).toMatchObject({ messageId: ourId, accepted: ['jane.doe@pixel.example'], rejected: [] });
    expect(sent.response).toMatch(/^250 /);
    expect(smtp.received).toHaveLength(1);
    const [{ mailFrom, rcptTo, mail }] = smtp.received as [Received];
    expect({ mailFrom, rcptTo }).toEqual({ mailFrom: 'support@acme.example', rcptTo: ['jane.doe@pixel.example'] });
    expect(mail.messageId).toBe(ourId);
    expect(mail.inReplyTo).toBe(e.inReplyTo);
    expect(mail.references).toEqual(e.thread);
    expect(mail.from?.value).toEqual([{ name: 'Acme Support', address: 'support@acme.example' }]);
    expect(mail.replyTo?.value).toEqual([{ name: 'Acme Support', address: 'support+tkt_1f3a9c2e5b7d4a60b8e1@acme.example' }]);
    expect(mail.subject).toBe('Re: CSV export fails with a timeout');
    expect(mail.text?.trim()).toBe(e.body);
    expect(mail.html).toContain('Weekly schedules are under Exports → Schedule.<br>');
    expect(mail.headers.get('x-tandem-ticket')).toBe(e.ticketId);
  });

  it('sends the same outbound message twice with the same Message-ID', async () => {
    const smtp = await server();
    const m = mailer(smtp.url);
    const first = await m.send(composeReplyEmail(reply()));
    const again = await m.send(composeReplyEmail(reply({ body: 'Hello Jane, (sent again)' })));
    expect(again.messageId).toBe(first.messageId);
    expect(smtp.received.map((r) => r.mail.messageId)).toEqual([first.messageId, first.messageId]);
    const other = await m.send(composeReplyEmail(reply({ outboundId: 'tkt_1f3a9c2e5b7d4a60b8e1:out:3' })));
    expect(other.messageId).not.toBe(first.messageId);
  });

  it('fails for good when the server refuses the recipient (550)', async () => {
    const smtp = await server({
      onRcptTo: (_address, _session, callback) => callback(smtpError(550, '5.1.1 <jane.doe@pixel.example>: Recipient address rejected')),
    });
    const error = await deliveryError(mailer(smtp.url).send(composeReplyEmail(reply())));
    expect(error).toMatchObject({ permanent: true, responseCode: 550 });
    expect(error.message).toMatch(
      /refused the recipient jane\.doe@pixel\.example for good \(550 5\.1\.1 <jane\.doe@pixel\.example>: Recipient address rejected\)/,
    );
    expect(smtp.received).toHaveLength(0);
  });

  it('may retry when the server defers the recipient (451)', async () => {
    const smtp = await server({
      onRcptTo: (_address, _session, callback) => callback(smtpError(451, '4.7.1 Greylisted, try again later')),
    });
    const error = await deliveryError(mailer(smtp.url).send(composeReplyEmail(reply())));
    expect(error).toMatchObject({ permanent: false, responseCode: 451 });
    expect(error.message).toMatch(
      /deferred the recipient jane\.doe@pixel\.example \(451 4\.7\.1 Greylisted, try again later\): sending again later may succeed/,
    );
  });

  it('fails for good when the server refuses the message after DATA (554)', async () => {
    const smtp = await server({
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback(smtpError(554, '5.7.1 Message rejected as spam')));
      },
    });
    const error = await deliveryError(mailer(smtp.url).send(composeReplyEmail(reply())));
    expect(error).toMatchObject({ permanent: true, responseCode: 554 });
    expect(error.message).toContain('refused the message for good');
  });

  it('reports a recipient refused beside an accepted one, and sends to the other', async () => {
    const smtp = await server({
      onRcptTo: (address, _session, callback) => callback(address.address.startsWith('gone') ? smtpError(550, 'No such user') : null),
    });
    const sent = await mailer(smtp.url).send({ ...composeReplyEmail(reply()), to: ['jane.doe@pixel.example', 'gone@pixel.example'] });
    expect(sent).toMatchObject({ accepted: ['jane.doe@pixel.example'], rejected: ['gone@pixel.example'] });
    expect(smtp.received.map((r) => r.rcptTo)).toEqual([['jane.doe@pixel.example']]);
  });

  it('may retry when nothing listens on the port', async () => {
    const closed = await server();
    await closed.close();
    const error = await deliveryError(mailer(closed.url, { timeoutMs: 2000 }).send(composeReplyEmail(reply())));
    expect(error).toMatchObject({ permanent: false, responseCode: null });
    expect(error.message).toMatch(/Could not get an answer from the mail server smtp:\/\/127\.0\.0\.1:\d+/);
  });

  it('may retry when the server accepts the connection but never greets', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => silent.close(() => resolve())));
    const sockets = new Set<net.Socket>();
    silent.on('connection', (socket) => sockets.add(socket));
    cleanups.push(() => sockets.forEach((s) => s.destroy()));
    const { port } = silent.address() as AddressInfo;
    const error = await deliveryError(mailer(`smtp://127.0.0.1:${port}`, { timeoutMs: 300 }).send(composeReplyEmail(reply())));
    expect(error).toMatchObject({ permanent: false, responseCode: null });
    expect(error.message).toContain('ETIMEDOUT');
  });

  it('verifies good credentials and refuses bad ones for good, without showing the password', async () => {
    const smtp = await server({
      authOptional: false,
      authMethods: ['PLAIN'],
      allowInsecureAuth: true,
      onAuth: (auth, _session, callback) =>
        auth.password === 'right' ? callback(null, { user: auth.username }) : callback(smtpError(535, '5.7.8 Authentication failed')),
    });
    await expect(mailer(`smtp://tandem:right@127.0.0.1:${smtp.port}`).verify()).resolves.toBeUndefined();
    const error = await deliveryError(mailer(`smtp://tandem:wrong@127.0.0.1:${smtp.port}`).verify());
    expect(error).toMatchObject({ permanent: true, responseCode: 535 });
    expect(error.message).toContain('refused the credentials in SMTP_URL for good');
    expect(error.message).not.toContain('wrong');
  });

  it('speaks TLS from the start for smtps://', async () => {
    // smtp-server's built-in self-signed certificate; the URL tells the client to accept it.
    const smtp = await server({ secure: true });
    const sent = await mailer(`smtps://127.0.0.1:${smtp.port}/?tls.rejectUnauthorized=false`).send(composeReplyEmail(reply()));
    expect(sent.accepted).toEqual(['jane.doe@pixel.example']);
    expect(smtp.received).toHaveLength(1);
  });

  it('refuses a URL that is not smtp:// or smtps://, saying what one looks like', () => {
    expect(() => createMailer('http://mail.acme.example')).toThrow(/must start with smtp:\/\/ .* or smtps:\/\//);
    expect(() => createMailer('mail.acme.example:587')).toThrow(TypeError);
    expect(() => createMailer('not a url')).toThrow(/smtp:\/\/user:password@mail\.acme\.example:587/);
  });
});
