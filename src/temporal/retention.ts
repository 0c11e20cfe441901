import { Connection } from '@temporalio/client';
import { msNumberToTs } from '@temporalio/common/lib/time';
import type { TemporalTarget } from './connection';

// A closed ticket's history, and the (encrypted) customer data in it, lives until its namespace's
// retention passes: erasure reports that date, so the local dev server's retention is a setting.

const HOUR_MS = 3_600_000;

/** Sets the namespace's workflow execution retention; the server keeps every other setting. */
export async function setNamespaceRetention(target: TemporalTarget, hours: number): Promise<void> {
  const connection = await Connection.connect(target.connection);
  try {
    await connection.workflowService.updateNamespace({
      namespace: target.namespace,
      config: { workflowExecutionRetentionTtl: msNumberToTs(hours * HOUR_MS) },
    });
  } finally {
    await connection.close();
  }
}
