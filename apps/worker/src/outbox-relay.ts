import { drainChangeOutbox, type ChangeOutboxRow, type Database } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import { publishChanges } from '@kombo-sync/queue';
import type { Queue } from 'bullmq';

export interface OutboxRelay {
  /** Drains the outbox now (or once more after the drain in progress); resolves when done. Never rejects. */
  kick(): Promise<void>;
  /** Stops the interval and waits for the drain in progress. */
  close(): Promise<void>;
}

/** Job id of an outbox row's message: the same row published twice is one message. */
export const outboxJobId = (row: Pick<ChangeOutboxRow, 'id'>): string => `outbox-${row.id}`;

/**
 * Publishes change_outbox rows to the change feed queue and deletes them, in batches of `batchSize` (FOR UPDATE SKIP
 * LOCKED: several workers relay in parallel without sharing a row). Runs on `kick()` (after each page) and every
 * `intervalMs` (rows left by a crash or a Redis outage).
 */
export function createOutboxRelay({
  database,
  changesQueue,
  logger,
  intervalMs,
  batchSize = 200,
}: {
  database: Database;
  changesQueue: Queue;
  logger: Logger;
  intervalMs: number;
  batchSize?: number;
}): OutboxRelay {
  let running: Promise<void> | undefined;
  let shouldRunAgain = false;
  let isClosed = false;

  const publish = (rows: ChangeOutboxRow[]): Promise<unknown> =>
    Promise.all(
      rows.map((row) =>
        publishChanges(
          changesQueue,
          {
            integrationId: row.integrationId,
            model: row.model,
            runId: row.runId,
            changedIds: row.changedIds,
            deletedIds: row.deletedIds,
            komboTime: row.komboTime.toISOString(),
          },
          { jobId: outboxJobId(row) },
        ),
      ),
    );

  async function drain(): Promise<void> {
    do {
      shouldRunAgain = false;
      try {
        while (
          (await drainChangeOutbox(database, {
            limit: batchSize,
            publish: async (rows) => void (await publish(rows)),
          })) === batchSize
        );
      } catch (err) {
        logger.warn({ err }, 'change outbox relay failed; rows stay for the next run');
      }
    } while (shouldRunAgain && !isClosed);
  }

  const kick = (): Promise<void> => {
    if (running) {
      shouldRunAgain = true;
      return running;
    }
    running = drain().finally(() => (running = undefined));
    return running;
  };

  const timer = setInterval(() => void kick(), intervalMs);
  timer.unref();

  return {
    kick,
    async close() {
      isClosed = true;
      clearInterval(timer);
      await running;
    },
  };
}
