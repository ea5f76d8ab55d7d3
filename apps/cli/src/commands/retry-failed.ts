import { laneQueues, type SyncQueues } from '@kombo-sync/queue';
import type { Queue } from 'bullmq';
import { EXIT } from '../errors.js';
import type { Output } from '../output.js';
import { terminalText } from '../terminal-text.js';

/** Failed jobs fetched per batch. */
const BATCH = 500;

/**
 * `kombo-sync retry-failed`: moves every failed job of every sync lane back to waiting (the job's in-flight intent
 * is still in Redis, so the retry redoes the lost work). Prints how many were retried. Exit 0.
 */
export async function runRetryFailed(deps: { queues: SyncQueues; out: Output }): Promise<number> {
  let retried = 0;
  for (const queue of laneQueues(deps.queues)) retried += await retryQueue(queue, deps.out);
  deps.out.out(`Retried ${retried} failed job(s).`);
  return EXIT.ok;
}

async function retryQueue(queue: Queue, out: Output): Promise<number> {
  let retried = 0;
  for (;;) {
    // Retried jobs leave the failed set, so the first batch is always the next one.
    const jobs = await queue.getFailed(0, BATCH - 1);
    if (jobs.length === 0) break;
    let progressed = 0;
    for (const job of jobs) {
      try {
        await job.retry('failed');
        retried += 1;
        progressed += 1;
      } catch (err) {
        out.err(
          `Could not retry job ${terminalText(job.id)}: ${terminalText(err instanceof Error ? err.message : String(err), 500)}`,
        );
      }
    }
    if (progressed === 0) break;
  }
  return retried;
}
