import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import type { Database } from '../db/client';
import { createPolicyStore } from '../db/policyStore';
import { createLogger, type Logger } from '../logger';
import { defaultActivityTimeouts } from '../workflows/ticket/timeouts';
import { publicUrlOf, temporalWebOrigins } from '../config';
import type { TemporalTarget } from '../temporal/connection';
import { loadKeyRing, tandemDataConverter } from '../temporal/dataConverter';
import { createApp } from './app';
import { secured } from './security';

export interface RunningApi {
  server: Server;
  url: string;
  client: Client;
  /** Drains: refuses new requests at once, finishes those in flight, cuts what is left after SHUTDOWN_GRACE_MS. */
  close(): Promise<void>;
}

/**
 * Wraps a request listener so shutdown is a drain, not a cutoff. Once `begin()` is called:
 * - a request that arrives afterwards, even on a kept-alive socket, is not handed to the app:
 *   it gets a 503 with `Connection: close`, so nothing it asked for has started;
 * - a request already in flight runs to the end and its answer carries `Connection: close`, so
 *   its socket closes instead of carrying another request.
 * Idle keep-alive sockets are the caller's to close (`server.closeIdleConnections()`).
 */
export function drainable(listener: RequestListener) {
  let draining = false;
  const inFlight = new Set<ServerResponse>();

  const refuse = (req: IncomingMessage, res: ServerResponse) => {
    const answer = () => {
      res.writeHead(503, { 'Content-Type': 'application/problem+json', Connection: 'close', 'Retry-After': '5' });
      res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'Service Unavailable',
          status: 503,
          detail: 'the API is shutting down; retry shortly',
        }),
      );
    };
    // Read the body first: closing a socket with unread bytes resets it, and the client would see
    // a cut request instead of the 503 that says nothing was started.
    req.resume();
    if (req.complete) answer();
    else req.once('end', answer);
  };

  return {
    listener(req: IncomingMessage, res: ServerResponse) {
      if (draining) return refuse(req, res);
      inFlight.add(res);
      res.once('close', () => inFlight.delete(res));
      listener(req, res);
    },
    begin() {
      draining = true;
      for (const res of inFlight) {
        if (!res.headersSent) res.setHeader('Connection', 'close');
        // Already answering as keep-alive: close the socket once the answer is out.
        else res.once('finish', () => res.socket?.end());
      }
    },
    get inFlight() {
      return inFlight.size;
    },
  };
}

/** Where this machine reaches a server listening on `host`: loopback for the any-address forms. */
export const localHost = (host: string) => (host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host);

/** One Temporal client per process; close() stops taking requests, drains those in flight, then disconnects. */
export async function startApi(config: Config, database: Database, target: TemporalTarget, given?: Logger): Promise<RunningApi> {
  const logger = given ?? createLogger(config.LOG_LEVEL);
  const { ring } = await loadKeyRing(config, database.db);
  // Connects on first use: an API started while Temporal is down serves 503s and /readyz says
  // why, instead of refusing to start.
  const connection = Connection.lazy(target.connection);
  const client = new Client({ connection, namespace: target.namespace, dataConverter: tandemDataConverter(ring) });
  const app = createApp({
    client,
    database,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    policies: createPolicyStore(database.db),
    customerIds: config.HUBSPOT_ACCESS_TOKEN ? 'crm' : 'tandem',
    // A model call may take up to OPENAI_TIMEOUT_MS; the AI activity must outlast it.
    activityTimeouts: {
      ...defaultActivityTimeouts,
      aiMs: Math.max(defaultActivityTimeouts.aiMs, config.OPENAI_TIMEOUT_MS + 15_000),
      deliveryDeadlineMs: config.DELIVERY_DEADLINE_MS,
      // Every endpoint of a message is tried at once; an attempt lasts about one webhook timeout.
      deliveryAttemptMs: Math.max(60_000, config.WEBHOOK_TIMEOUT_MS * 3),
    },
    delivery: {
      publicUrl: publicUrlOf(config),
      csatLinkSecret: config.CSAT_LINK_SECRET,
      emailFrom: config.EMAIL_FROM,
      webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
      selfOrigins: [`http://127.0.0.1:${config.PORT}`, `http://localhost:${config.PORT}`],
    },
    authCacheTtlMs: config.AUTH_CACHE_TTL_MS,
    codec: { ring, webOrigins: temporalWebOrigins(config) },
    rateLimits: { perIpPerMinute: config.RATE_LIMIT_PER_IP, perKeyPerMinute: config.RATE_LIMIT_PER_KEY },
    ...(config.TRUST_PROXY !== undefined ? { trustProxy: config.TRUST_PROXY } : {}),
    logger,
    timeouts: {
      temporalMs: config.REQUEST_TIMEOUT_MS,
      updateMs: config.REQUEST_TIMEOUT_MS,
      databaseMs: Math.min(5_000, config.REQUEST_TIMEOUT_MS),
    },
  });
  if (config.SHUTDOWN_GRACE_MS < config.REQUEST_TIMEOUT_MS) {
    logger.warn('SHUTDOWN_GRACE_MS is below REQUEST_TIMEOUT_MS: a shutdown may cut requests still within their deadline', {
      shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    });
  }
  const drain = drainable(app);
  // The drain's own 503 never reaches the app: it gets the security headers here.
  const server = createServer(secured(drain.listener));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    server,
    // The bound port, so PORT=0 (tests) names the port the system chose; all interfaces include loopback.
    url: `http://${localHost(config.HOST)}:${(server.address() as AddressInfo).port}`,
    client,
    close() {
      closing ??= (async () => {
        const started = Date.now();
        drain.begin();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        logger.info('API draining', { inFlight: drain.inFlight, graceMs: config.SHUTDOWN_GRACE_MS });
        // Past the grace time, cut what is left rather than hang the shutdown. A request cut here
        // may have started its work: retrying it with the same Idempotency-Key or X-Request-Id is safe.
        const grace = setTimeout(() => {
          logger.warn('API grace time over: cutting requests still in flight', { inFlight: drain.inFlight });
          server.closeAllConnections();
        }, config.SHUTDOWN_GRACE_MS);
        await closed;
        clearTimeout(grace);
        await connection.close();
        logger.info('API drained', { ms: Date.now() - started });
      })();
      return closing;
    },
  };
}
