// Runs the baseline workflows in their own process, like Tandem's worker.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './baselineActivities';

const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
const worker = await Worker.create({
  connection,
  taskQueue: process.env.TEMPORAL_TASK_QUEUE ?? 'bench-baseline',
  workflowsPath: fileURLToPath(new URL('./baseline.ts', import.meta.url)),
  activities,
});
process.stdout.write('baseline worker ready\n');
await worker.run();
await connection.close();
