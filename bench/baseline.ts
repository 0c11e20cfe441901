// The floor Tandem is measured against: bare workflows of the same shape on the same server.
import { condition, defineSignal, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type * as activities from './baselineActivities';

const { noop } = proxyActivities<typeof activities>({ startToCloseTimeout: '10s' });

export const ping = defineUpdate<number, [number]>('ping');
export const finish = defineSignal('finish');
export const approve = defineUpdate<string>('approve');
export const resolve = defineUpdate<string>('resolve');
export const csat = defineSignal<[number]>('csat');

/** An update round trip with nothing behind it. */
export async function emptyWorkflow(): Promise<void> {
  let done = false;
  setHandler(ping, (n) => n);
  setHandler(finish, () => void (done = true));
  await condition(() => done);
}

/** A ticket's shape without its logic: N no-op activities, then the agent's updates and the CSAT signal. */
export async function lifecycleBaseline(input: { activities: number; review: boolean }): Promise<void> {
  let approved = !input.review;
  let resolved = false;
  let rated = false;
  setHandler(approve, () => {
    approved = true;
    return 'approved';
  });
  setHandler(resolve, () => {
    resolved = true;
    return 'resolved';
  });
  setHandler(csat, () => void (rated = true));
  for (let i = 0; i < input.activities; i++) await noop(i);
  await condition(() => approved && resolved && rated);
}
