// Sending mail over SMTP, with every failure sorted the way a retry policy needs it: the server
// said no for good (5xx: a bad address, refused credentials), or not now (4xx: greylisting, a
// full queue) or could not be asked (connection refused, timeout).
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';
import { cutMailText } from './mailText';

export interface SentEmail {
  messageId: string;
  /** The server's last reply, e.g. '250 2.0.0 Ok: queued as 4DBy2X'. */
  response: string;
  accepted: string[];
  /** Recipients refused while others were accepted; a mail refused for every recipient throws instead. */
  rejected: string[];
}

/** A mail that did not go out. `permanent`: sending it again cannot succeed until something changes. */
export class EmailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    /** The SMTP reply code, when the server gave one. */
    readonly responseCode: number | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'EmailDeliveryError';
  }
}

export interface Mailer {
  send(message: Mail.Options): Promise<SentEmail>;
  /** Connects and authenticates, so a wrong SMTP_URL shows at start-up rather than at the first reply. */
  verify(): Promise<void>;
  /** Closes the pooled connections. */
  close(): void;
}

/** How long a connection, the greeting and each reply may take, unless told otherwise. */
export const DEFAULT_SMTP_TIMEOUT_MS = 30_000;

/** The server an SMTP_URL names, without its credentials, for messages and logs. */
function serverOf(smtpUrl: string): string {
  let url: URL;
  try {
    url = new URL(smtpUrl);
  } catch {
    throw new TypeError('SMTP_URL is not a URL: give one like smtp://user:password@mail.acme.example:587 or smtps://…:465.');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
    throw new TypeError(
      `SMTP_URL must start with smtp:// (STARTTLS when offered) or smtps:// (TLS from the start), not ${url.protocol}//.`,
    );
  if (url.hostname === '') throw new TypeError('SMTP_URL names no host: give one like smtp://mail.acme.example:587.');
  return `${url.protocol}//${url.host}`;
}

/** The parts of a nodemailer error this reads; everything on it is optional. */
interface SmtpFailure {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  permanent?: unknown;
  message?: unknown;
  /** The recipients refused, when every one was. */
  rejected?: unknown;
}

// Failures without an SMTP reply that a retry cannot fix: the message or the configuration is wrong.
const permanentWithoutReply = new Set([
  'EENVELOPE',
  'EMESSAGE',
  'ECONFIG',
  'ENOAUTH',
  'EREQUIRETLS',
  'EMAXRECIPIENTS',
  'EFILEACCESS',
  'EURLACCESS',
]);

/** What the server was refusing, by the command that got the reply. */
function refusedWhat(failure: SmtpFailure): string {
  const command = typeof failure.command === 'string' ? failure.command.toUpperCase() : '';
  if (command.startsWith('AUTH')) return 'the credentials in SMTP_URL';
  if (command.startsWith('MAIL')) return 'the sender address';
  if (command.startsWith('RCPT')) {
    const rejected = Array.isArray(failure.rejected) ? failure.rejected.filter((r): r is string => typeof r === 'string') : [];
    return rejected.length === 0 ? 'the recipient' : `the recipient ${rejected.join(', ')}`;
  }
  return 'the message';
}

function deliveryError(err: unknown, server: string): EmailDeliveryError {
  const failure: SmtpFailure = typeof err === 'object' && err !== null ? err : {};
  const code = typeof failure.code === 'string' ? failure.code : 'unknown';
  const responseCode = typeof failure.responseCode === 'number' ? failure.responseCode : null;
  const text = typeof failure.message === 'string' ? failure.message : String(err);
  const detail = cutMailText(typeof failure.response === 'string' ? failure.response : text, 300, { ellipsis: true });
  if (responseCode !== null) {
    // nodemailer reads the reply class (5xx permanent except 503, a session out of step);
    // the fallback says the same for an error that lacks its verdict.
    const permanent = typeof failure.permanent === 'boolean' ? failure.permanent : responseCode >= 500 && responseCode !== 503;
    const what = refusedWhat(failure);
    const message = permanent
      ? `The mail server ${server} refused ${what} for good (${detail}): sending again will not help until that is fixed.`
      : `The mail server ${server} deferred ${what} (${detail}): sending again later may succeed.`;
    return new EmailDeliveryError(message, permanent, responseCode, { cause: err });
  }
  if (permanentWithoutReply.has(code))
    return new EmailDeliveryError(
      `The mail could not be sent through ${server} (${code}: ${detail}): fix the message or SMTP_URL; sending again will not help.`,
      true,
      null,
      {
        cause: err,
      },
    );
  return new EmailDeliveryError(
    `Could not get an answer from the mail server ${server} (${code}: ${detail}): sending again later may succeed.`,
    false,
    null,
    {
      cause: err,
    },
  );
}

/** One pooled SMTP transport for SMTP_URL (smtp:// or smtps://, auth in the URL). Throws TypeError for a URL that is not one. */
export function createMailer(smtpUrl: string, options: { timeoutMs?: number } = {}): Mailer {
  const server = serverOf(smtpUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS;
  // The defaults wait minutes (2 min to connect, 10 min idle): an activity would hit its own
  // timeout first and learn nothing about why.
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
  });
  return {
    async send(message) {
      const info = await transport.sendMail(message).catch((err: unknown) => {
        throw deliveryError(err, server);
      });
      return {
        messageId: info.messageId,
        response: info.response,
        accepted: info.accepted.map(String),
        rejected: info.rejected.map(String),
      };
    },
    async verify() {
      try {
        await transport.verify();
      } catch (err) {
        throw deliveryError(err, server);
      }
    },
    close() {
      transport.close();
    },
  };
}
