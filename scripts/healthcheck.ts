// Container health checks (docker-compose.yml). Exit 0 when healthy, 1 otherwise.
//   api:    GET /readyz on the local API answers 200 (Temporal and database reachable).
//   worker: Temporal reports at least one poller on Tandem's ticket task queue.
import { Connection } from '@temporalio/client';
import { loadConfig } from '../src/config';
import { temporalTarget } from '../src/temporal/connection';

const config = loadConfig();
const target = process.argv[2];

async function apiReady(): Promise<boolean> {
  const res = await fetch(`http://127.0.0.1:${config.PORT}/readyz`, { signal: AbortSignal.timeout(4000) });
  return res.ok;
}

async function workerPolling(): Promise<boolean> {
  // Only pollers are read: no payloads, so no data converter is needed here.
  const target = temporalTarget(config);
  const connection = await Connection.connect({ ...target.connection, connectTimeout: 4000 });
  try {
    const res = await connection.withDeadline(Date.now() + 4000, () =>
      connection.workflowService.describeTaskQueue({
        namespace: target.namespace,
        taskQueue: { name: config.TEMPORAL_TASK_QUEUE },
      }),
    );
    return (res.pollers ?? []).length > 0;
  } finally {
    await connection.close();
  }
}

const checks: Record<string, () => Promise<boolean>> = { api: apiReady, worker: workerPolling };
const check = target ? checks[target] : undefined;
if (!check) {
  console.error(`usage: tsx scripts/healthcheck.ts <${Object.keys(checks).join('|')}>`);
  process.exit(2);
}
check().then(
  (ok) => process.exit(ok ? 0 : 1),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
