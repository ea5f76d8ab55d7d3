import { drainChangeOutbox, type ChangeOutboxRow, type Database } from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import type { ChangeFeed } from '@kombo-sync/queue';

export interface OutboxRelay {
  /** Drains the outbox now (or once more after the drain in progress); resolves when done. Never rejects. */
  kick(): Promise<void>;
  /** Stops the interval and waits for the drain in progress. */
  close(): Promise<void>;
}

const DROP_WARNING_INTERVAL_MS = 60_000;

/** Job id of an outbox row's message: the same row published twice is one message. */
export const outboxJobId = (row: Pick<ChangeOutboxRow, 'id'>): string => `outbox-${row.id}`;

/** An outbox row as the change feed's message, with its job id. */
function feedMessageOf(row: ChangeOutboxRow) {
  return {
    jobId: outboxJobId(row),
    message: {
      integrationId: row.integrationId,
      model: row.model,
      runId: row.runId,
      changedIds: row.changedIds,
      deletedIds: row.deletedIds,
      komboTime: row.komboTime.toISOString(),
    },
  };
}

/**
 * Counts the messages the feed dropped and warns about them at most once a minute: with no consumer every page
 * drops one message, which is worth saying once a minute, not once a page.
 */
function dropWarner(logger: Logger): (dropped: number) => void {
  let droppedSinceWarning = 0;
  let lastWarningAt = -Infinity;
  return (dropped) => {
    droppedSinceWarning += dropped;
    if (droppedSinceWarning > 0 && Date.now() - lastWarningAt >= DROP_WARNING_INTERVAL_MS) {
      logger.warn(
        { dropped: droppedSinceWarning },
        'change feed at its bound (CHANGE_FEED_MAX_MESSAGES): oldest unread messages dropped',
      );
      droppedSinceWarning = 0;
      lastWarningAt = Date.now();
    }
  };
}

/**
 * Publishes change_outbox rows to the change feed and deletes them, in batches of `batchSize` (one relay at a time
 * fleet-wide: see drainChangeOutbox), oldest first; the feed drops its oldest waiting messages beyond its bound.
 * Runs on `kick()` (after each page) and every `intervalMs` (rows left by a crash, a Redis outage, or a drain that
 * found another worker's relay running).
 */
export function createOutboxRelay({
  database,
  feed,
  logger,
  intervalMs,
  batchSize = 200,
}: {
  database: Database;
  feed: ChangeFeed;
  logger: Logger;
  intervalMs: number;
  batchSize?: number;
}): OutboxRelay {
  let running: Promise<void> | undefined;
  let shouldRunAgain = false;
  let isClosed = false;
  const warnDropped = dropWarner(logger);

  async function publish(rows: ChangeOutboxRow[]): Promise<void> {
    const { dropped } = await feed.publish(rows.map(feedMessageOf));
    warnDropped(dropped);
  }

  async function drain(): Promise<void> {
    do {
      shouldRunAgain = false;
      try {
        while (
          (await drainChangeOutbox(database, {
            limit: batchSize,
            publish,
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
