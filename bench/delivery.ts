import { Agent, request } from 'node:http';
import { Agent as UndiciAgent } from 'undici';
import { openDatabase } from '../src/db/client';
import { addDeliveries } from '../src/db/deliveries';
import { createEndpoint } from '../src/db/webhookEndpoints';
import { deliverEvents, type DeliveryDeps } from '../src/delivery/deliverer';
import { newWebhookSecret } from '../src/webhooks/secrets';
import { startProcess, type Infra } from './infra';
import { pool, round } from './stats';

type Log = (line: string) => void;

/** A payload the size of a real `ticket.message` (a reply with two citations). */
const payload = JSON.stringify({
  type: 'ticket.message',
  timestamp: new Date().toISOString(),
  data: {
    ticket: {
      id: 'tkt_bench',
      externalId: null,
      customerId: 'cus_bench',
      customerEmail: 'sam@pixel.example',
      channel: 'chat',
      subject: 'How do I reset my password?',
      status: 'awaiting_customer',
      priority: 'P3',
      category: 'how_to',
      assignee: null,
    },
    message: {
      id: 'tkt_bench:out:7',
      kind: 'reply',
      author: 'ai',
      agentId: null,
      channel: 'chat',
      recipient: 'sam@pixel.example',
      body: 'To reset your password, open the sign-in page and choose "Forgot password". '.repeat(8),
      citations: [
        { articleId: 'kb_reset_password', title: 'Reset your password' },
        { articleId: 'kb_sso', title: 'Single sign-on' },
      ],
      createdAt: new Date().toISOString(),
    },
  },
});

/**
 * Delivery throughput: webhooks per second from Tandem's delivery code (the `sendWebhooks`
 * activity's body: read the planned delivery, sign it with the Standard Webhooks library, POST it,
 * record the attempt and the delivery's state in PostgreSQL) against a bare loop of unsigned POSTs
 * of the same payload over keep-alive connections with Node's own client (node:http), both at the
 * same concurrency (by default the worker's activity slots, ACTIVITY_SLOTS: a worker runs that many
 * deliveries side by side) to one receiver in its own process. Tandem sends with undici, which
 * costs about half of node:http's CPU a request; a bare loop on undici is measured too and logged,
 * so what Tandem's own work costs over its client stays visible.
 * Temporal's scheduling of the activity is what the lifecycle step prices, so it is left out here.
 */
export async function deliveryThroughput(infra: Infra, n: number, concurrency: number, log: Log) {
  const receiver = await startProcess('bench/receiver.ts', {}, /receiver on \d+/);
  try {
    const port = Number(/receiver on (\d+)/.exec(receiver.output())![1]);
    const url = `http://127.0.0.1:${port}/hooks`;
    // The worker's own pool size (postgres.js's default of 10), not the bench harness's 4.
    const database = openDatabase({ url: infra.databaseUrl });
    const db = database.db;
    const endpoint = await createEndpoint(db, {
      url,
      events: ['ticket.message'],
      description: 'bench',
      integration: `bench-${Date.now()}`,
      secret: newWebhookSecret(),
      createdBy: 'bench',
    });
    const plan = async (count: number, tag: string) => {
      const rows = Array.from({ length: count }, (_, i) => ({
        endpointId: endpoint.id,
        eventId: `msg_bench_${tag}_${i}`,
        eventType: 'ticket.message' as const,
        ticketId: 'tkt_bench',
        messageId: `tkt_bench:${tag}:${i}`,
        payload,
      }));
      const ids: string[] = [];
      for (let i = 0; i < rows.length; i += 500) ids.push(...(await addDeliveries(db, rows.slice(i, i + 500))));
      return ids;
    };
    const deps: DeliveryDeps = {
      db,
      mailer: null,
      emailFrom: { address: 'bench@tandem.localhost', name: 'Bench' },
      webhookTimeoutMs: 10_000,
      now: () => new Date(),
    };
    const attempt = { number: 1, giveUpAt: Date.now() + 3_600_000 };
    const tandem = async (ids: string[]) => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      let failed = 0;
      await pool(ids.length, concurrency, async (i) => {
        const result = await deliverEvents(deps, [ids[i]!], attempt);
        failed += result.failed;
      });
      if (failed > 0) throw new Error(`${failed} deliveries failed`);
      const used = process.cpuUsage(cpu);
      cpuPerWebhook.tandem.push((used.user + used.system) / ids.length);
      return ids.length / ((performance.now() - started) / 1000);
    };
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    const post = () =>
      new Promise<void>((resolve, reject) => {
        const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`bare POST: ${res.statusCode}`))));
        });
        req.on('error', reject);
        req.end(payload);
      });
    const undici = new UndiciAgent();
    const origin = new URL(url).origin;
    const postUndici = async () => {
      const answer = await undici.request({
        origin,
        path: '/hooks',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: payload,
      });
      await answer.body.dump();
      if (answer.statusCode !== 200) throw new Error(`bare undici POST: ${answer.statusCode}`);
    };
    const bare = async (count: number, send = post, side: 'bare' | 'undici' = 'bare') => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      await pool(count, concurrency, () => send());
      const used = process.cpuUsage(cpu);
      cpuPerWebhook[side].push((used.user + used.system) / count);
      return count / ((performance.now() - started) / 1000);
    };

    // The sender's own CPU per webhook (µs): on a shared machine, steadier than the rates.
    const cpuPerWebhook = { tandem: [] as number[], bare: [] as number[], undici: [] as number[] };
    log(`delivery: warming up, then twice ${n} webhooks each way at concurrency ${concurrency}`);
    await bare(200);
    await bare(200, postUndici, 'undici');
    await tandem(await plan(200, 'warm'));
    // Two rounds each, alternating, best of each: the machine's noise falls on both sides alike.
    const bareRounds: number[] = [];
    const tandemRounds: number[] = [];
    const undiciRounds: number[] = [];
    for (const round of [1, 2]) {
      const ids = await plan(n, `run${round}`);
      bareRounds.push(await bare(n));
      tandemRounds.push(await tandem(ids));
      undiciRounds.push(await bare(n, postUndici, 'undici'));
    }
    const barePerSecond = Math.max(...bareRounds);
    const tandemPerSecond = Math.max(...tandemRounds);
    const undiciPerSecond = Math.max(...undiciRounds);
    agent.destroy();
    await undici.close();
    await database.close();
    const cpu = (side: number[]) => round(Math.min(...side.slice(1)), 0);
    log(
      `delivery: Tandem ${round(tandemPerSecond, 0)}/s, bare POST ${round(barePerSecond, 0)}/s ` +
        `(bare undici POST ${round(undiciPerSecond, 0)}/s); sender CPU ${cpu(cpuPerWebhook.tandem)} vs ` +
        `${cpu(cpuPerWebhook.bare)} µs a webhook (undici ${cpu(cpuPerWebhook.undici)} µs)`,
    );
    return {
      webhooks: n,
      concurrency,
      tandemPerSecond: round(tandemPerSecond, 0),
      barePerSecond: round(barePerSecond, 0),
      bareUndiciPerSecond: round(undiciPerSecond, 0),
      ratio: round(tandemPerSecond / barePerSecond),
      goal: 0.5,
    };
  } finally {
    await receiver.stop();
  }
}
