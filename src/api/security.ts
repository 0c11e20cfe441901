import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { Problem } from './problems';

/**
 * Security headers on every answer (helmet): HSTS, nosniff, no framing, no referrer across
 * origins, and a content security policy for an API whose only pages (docs, CSAT survey, codec
 * sign-in) need inline styles and their own forms, never a script. Pages may set a stricter one.
 */
export const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      styleSrc: ["'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
  referrerPolicy: { policy: 'no-referrer' },
}) as (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

/** A listener whose every answer carries the security headers, also those that never reach the app (a drain's 503). */
export const secured =
  (listener: RequestListener): RequestListener =>
  (req, res) =>
    securityHeaders(req, res, () => listener(req, res));

/**
 * CORS for the codec server, for the configured Temporal Web origins only, with credentials (the
 * session cookie). A browser preflight from another origin is refused, and so is a request that
 * carries another origin: the codec hands out ticket text, so no other page may even try.
 * OPTIONS that is not a preflight falls through to the router's 405.
 */
export function codecCors(origins: string[]): RequestHandler {
  const allowed = new Set(origins);
  return (req, res, next) => {
    res.vary('Origin');
    const origin = req.get('origin');
    const preflight = req.method === 'OPTIONS' && origin !== undefined && req.get('access-control-request-method') !== undefined;
    if (origin === undefined) return next();
    if (!allowed.has(origin)) {
      throw new Problem(
        403,
        'Forbidden',
        `origin ${origin} may not call the codec server; set TEMPORAL_WEB_ORIGIN to Temporal Web's origin`,
      );
    }
    res.set({ 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' });
    if (!preflight) return next();
    res.set({
      'Access-Control-Allow-Methods': 'POST',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
      'Access-Control-Max-Age': '600',
    });
    res.status(204).end();
  };
}
