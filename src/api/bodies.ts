import express, { type RequestHandler } from 'express';
import { Problem } from './problems';
import type { RouteSpec } from './route';

/**
 * Request bodies are read per route, after the route's authentication: a caller without a key
 * learns that first (401), whatever its body, and a route reads only the kinds of body it takes,
 * within its own size limit (the codec server's payloads are larger than any ticket).
 */

export const jsonTypes = ['application/json', 'application/*+json'];
// Only routes that say so accept YAML (the routing policy), a form (the CSAT and codec sign-in
// pages) or a raw email (inbound mail); the others answer them with 415.
export const yamlTypes = ['application/yaml', 'application/x-yaml', 'text/yaml'];
export const formType = 'application/x-www-form-urlencoded';
export const mimeType = 'message/rfc822';
/** A helpdesk export (the history import): CSV or JSON Lines, handed over as bytes. */
export const exportTypes = ['text/csv', 'application/x-ndjson', 'application/jsonl'];

export interface BodyLimits {
  /** Largest JSON or YAML body, unless the route sets its own. */
  json: string;
  /** Largest raw email, in bytes. */
  email: number;
}

const hasBody = (contentLength: string | undefined, transferEncoding: string | undefined) =>
  contentLength ? contentLength !== '0' : transferEncoding !== undefined;

export function bodyParsers(route: RouteSpec, limits: BodyLimits): RequestHandler[] {
  const types = [
    ...jsonTypes,
    ...(route.acceptsYaml ? yamlTypes : []),
    ...(route.bodyType === 'form' ? [formType] : []),
    ...(route.bodyType === 'mime' ? [mimeType] : []),
    ...(route.bodyType === 'export' ? exportTypes : []),
  ];
  // A body of a kind the route does not take is refused before it is read, so nothing downstream guesses at it.
  const kindCheck: RequestHandler = (req, _res, next) => {
    if (hasBody(req.get('content-length'), req.get('transfer-encoding')) && !req.is(types)) {
      const wanted =
        route.bodyType === 'mime'
          ? 'message/rfc822'
          : route.bodyType === 'form'
            ? formType
            : route.bodyType === 'export'
              ? exportTypes.join(' or ')
              : 'application/json';
      throw new Problem(415, 'Unsupported Media Type', `send ${wanted}, not ${req.get('content-type') ?? 'no content type'}`);
    }
    next();
  };
  const limit = route.bodyLimit ?? limits.json;
  return [
    kindCheck,
    express.json({ limit, type: jsonTypes }),
    ...(route.acceptsYaml ? [express.text({ limit, type: yamlTypes })] : []),
    ...(route.bodyType === 'form' ? [express.urlencoded({ limit: '64kb', type: formType, extended: false })] : []),
    ...(route.bodyType === 'mime' ? [express.raw({ limit: limits.email, type: mimeType })] : []),
    ...(route.bodyType === 'export' ? [express.raw({ limit, type: exportTypes })] : []),
  ];
}
