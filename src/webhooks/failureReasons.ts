// Why an attempt failed, in words the person who owns the endpoint can act on. The delivery log
// shows these, so each names what happened and, where it is not obvious, what to change.
import { STATUS_CODES } from 'node:http';
import { cutText } from '../domain/text';
import { ForbiddenAddressError } from './guardedAgent';

export interface FailureReason {
  error: string;
  /** Retrying cannot help. */
  permanent: boolean;
}

const errorCode = (error: Error): string => ('code' in error && typeof error.code === 'string' ? error.code : '');

// Node's certificate checks, by the codes OpenSSL gives them.
const tlsCodes = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH)/;

/** Why a request that never got an HTTP answer failed. */
export function transportFailure(error: Error, where: { host: string; port: number }): FailureReason {
  if (error instanceof ForbiddenAddressError) return { error: `refused: ${error.message}`, permanent: true };
  const code = errorCode(error);
  const endpoint = `${where.host}:${where.port}`;
  const reason = ((): string => {
    switch (code) {
      case 'ECONNREFUSED':
        return `connection refused by ${endpoint}: nothing listens there`;
      case 'ECONNRESET':
        return `connection reset by ${endpoint} before it answered`;
      case 'UND_ERR_SOCKET':
        // undici's "other side closed": the receiver ended the connection, no answer came.
        return `${endpoint} closed the connection without answering`;
      case 'EPIPE':
        return `${endpoint} closed the connection while the request was being sent`;
      case 'ETIMEDOUT':
        return `connecting to ${endpoint} timed out in the network`;
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
        return `${endpoint} is unreachable from here (${code})`;
      case 'ENOTFOUND':
        return `${where.host} does not resolve (ENOTFOUND)`;
      case 'EAI_AGAIN':
        return `DNS lookup of ${where.host} failed for now (EAI_AGAIN)`;
      case 'UND_ERR_HEADERS_OVERFLOW':
        return `${endpoint} answered with headers larger than 16 kB`;
      case 'UND_ERR_CONNECT_TIMEOUT':
        return `connecting to ${endpoint} timed out`;
      default:
        if (error.name === 'HTTPParserError' || code.startsWith('HPE_')) return `not an HTTP answer from ${endpoint} (${error.message})`;
        // OpenSSL's own errors ("wrong version number") carry its whole error line as the message.
        if (code.startsWith('ERR_SSL_') && error.message.includes('SSL routines')) return tlsProtocolFailure(error.message, endpoint);
        if (tlsCodes.test(code)) return `TLS with ${endpoint} failed: ${error.message} (${code})`;
        if (code === 'EPROTO') return tlsProtocolFailure(error.message, endpoint);
        return `request to ${endpoint} failed: ${error.message}${code ? ` (${code})` : ''}`;
    }
  })();
  return { error: reason, permanent: false };
}

/** OpenSSL's reason ("wrong version number") out of its error line, with what it usually means. */
function tlsProtocolFailure(message: string, endpoint: string): string {
  const reason = /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] ?? cutText(message, 200, { ellipsis: true });
  const hint = reason === 'wrong version number' ? ': the receiver does not speak TLS there; should the URL be http://?' : '';
  return `TLS with ${endpoint} failed: ${reason}${hint}`;
}

/** Why an HTTP answer is a failure; null for a 2xx. `location` is the redirect target, if any. */
export function statusFailure(status: number, location: string | null): FailureReason | null {
  if (status >= 200 && status <= 299) return null;
  const name = `${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
  if (status === 410) return { error: `${name}: the receiver has disabled this endpoint`, permanent: true };
  if (status >= 300 && status <= 399) {
    // Following redirects would load both sides and could lead anywhere; the spec asks senders not to.
    const where = location ? ` to ${cutText(location, 500, { ellipsis: true })}` : '';
    return { error: `${name}: redirect${where} not followed; update the endpoint URL`, permanent: false };
  }
  return { error: name, permanent: false };
}

/** A Retry-After header (seconds or an HTTP date) as milliseconds from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | undefined, now: number): number | null {
  if (!header) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
