import { createServer } from 'node:http';

export interface StubCall {
  method: string;
  /** Path and query, as received. */
  url: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface StubAnswer {
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * A local HTTP server standing in for a provider's API: `route(call)` answers each request with
 * the provider's documented JSON, `once` queues one-off answers (errors), every call is kept.
 */
export async function startHttpStub(route: (call: StubCall) => StubAnswer) {
  const calls: StubCall[] = [];
  const once: { answer: StubAnswer; matches: (call: StubCall) => boolean }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', 'http://stub');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        // form-encoded or empty: keep the text
      }
      const call: StubCall = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body,
      };
      calls.push(call);
      const queued = once.findIndex((o) => o.matches(call));
      const answer = queued >= 0 ? once.splice(queued, 1)[0]!.answer : route(call);
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    /** The next request (that `matches`, if given) gets this answer instead of the route's. */
    once: (answer: StubAnswer, matches: (call: StubCall) => boolean = () => true) => void once.push({ answer, matches }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
