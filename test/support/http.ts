import type { Server } from 'node:http';
import type { Express } from 'express';

// Tests read arbitrary JSON bodies and assert on their shape; `any` keeps those assertions terse.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** Serves an app on an ephemeral port; returns its base URL and a close that drains. */
export async function serve(app: Express): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  const server = app.listen(0);
  await new Promise((r) => server.once('listening', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface CallOptions {
  key?: string;
  body?: unknown;
  /** Sent as is, with its own content type. */
  raw?: { body: string; contentType?: string };
  headers?: Record<string, string>;
}

/** One real HTTP request; the body is parsed as JSON when the response says it is. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function call<T = any>(base: string, method: string, path: string, options: CallOptions = {}): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  let body: string | undefined;
  if (options.raw) {
    body = options.raw.body;
    if (options.raw.contentType) headers['content-type'] = options.raw.contentType;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, body: (type.includes('json') && text ? JSON.parse(text) : text) as T };
}
