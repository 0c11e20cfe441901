import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import net from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The body exactly as the bytes arrived. */
  raw: Buffer;
  /** What the standardwebhooks library made of the signature with the receiver's secret. */
  verified: boolean;
  verifyError: string | null;
}

/** The three headers as the standardwebhooks library reads them, from a request's headers. */
export function webhookHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
    const value = headers[name];
    if (typeof value === 'string') picked[name] = value;
  }
  return picked;
}

/**
 * A webhook receiver on 127.0.0.1 that verifies every request with the standardwebhooks library
 * (when given a secret), keeps what it got, counts TCP connections, and answers with `answer`.
 */
export async function startReceiver(options: { secret?: string; answer?: (res: ServerResponse, index: number) => void } = {}) {
  const received: ReceivedWebhook[] = [];
  let connections = 0;
  // Set later when the endpoint's secret is known only once it is registered (with this URL).
  let secret = options.secret;
  const answer = options.answer ?? ((res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/plain' }).end('thanks'));
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let verified = false;
      let verifyError: string | null = null;
      if (secret) {
        try {
          new Webhook(secret).verify(raw.toString('utf8'), webhookHeaders(req.headers));
          verified = true;
        } catch (error) {
          verifyError = error instanceof Error ? error.message : String(error);
        }
      }
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, verified, verifyError });
      // The receivers under test may drop the connection mid-answer; that is theirs to do, not a test failure.
      res.on('error', () => {});
      answer(res, received.length - 1);
    });
  });
  server.on('connection', () => connections++);
  return {
    ...(await listen(server)),
    received,
    connections: () => connections,
    setSecret: (s: string) => void (secret = s),
    /** The parsed envelopes received, of one event type or all. */
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    events: (type?: string): any[] =>
      received.map((r) => JSON.parse(r.raw.toString('utf8')) as { type: string }).filter((e) => type === undefined || e.type === type),
  };
}

/** A TCP server on 127.0.0.1 that does `onConnection` with each socket instead of speaking HTTP. */
export async function startRawServer(onConnection: (socket: net.Socket) => void) {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.on('error', () => {});
    onConnection(socket);
  });
  return { ...(await listen(server)), connections: () => connections };
}

async function listen(server: net.Server) {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
