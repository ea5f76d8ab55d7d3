import type { ModelName } from '@kombo-sync/catalog';
import {
  finishModelProgress,
  startModelProgress,
  updateModelProgress,
  type Database,
  type ProgressStatus,
} from '@kombo-sync/db';
import type { Logger } from '@kombo-sync/logger';
import type { SyncStore } from '@kombo-sync/sync';

export interface TrackProgressOptions {
  database: Database;
  /** Records per page (KOMBO_PAGE_SIZE): turns an expected record count into pages. */
  pageSize: number;
  logger: Logger;
  /** Least ms between two writes of one pass's counts (the worker's `progressIntervalMs`). */
  intervalMs: number;
  /** Clock for the throttle, epoch ms. Default Date.now. */
  now?: () => number;
}

export interface ProgressTracking {
  /** The store to hand the engine. */
  readonly store: SyncStore;
  /** Ends the rows of passes that neither committed nor failed (a cancelled run) as `cancelled`; call after the run. */
  settle(): Promise<void>;
}

interface PassProgress {
  readonly runId: number;
  readonly isFullPass: boolean;
  pages: number;
  records: number;
  /** Set once the row is written (a full pass: at its first page; a delta: once it outlasts one interval). */
  hasRow: boolean;
  lastWriteMs: number;
  /** Progress writes of the pass, one after another, so a late update never overwrites the final counts. */
  chain: Promise<void>;
}

/**
 * Wraps the engine's store so each model's pass records its progress in `sync_progress` (pages and records done,
 * what it expects), readable from any process. Cheap by design: counts are kept in memory and written at most once
 * per `intervalMs` per pass (never per record, never inside the page's transaction, so the page's own work is
 * unchanged); a full pass writes its row at its first page, a short delta pass writes nothing at all. Progress is
 * advisory: a failed progress write is logged and the sync goes on.
 */
export function trackProgress(store: SyncStore, options: TrackProgressOptions): ProgressTracking {
  const { database, pageSize, logger, intervalMs } = options;
  const now = options.now ?? Date.now;
  const passes = new Map<string, PassProgress>();
  const keyOf = (integrationId: string, model: ModelName) => `${integrationId}|${model}`;

  const enqueue = (pass: PassProgress, what: string, write: () => Promise<void>): Promise<void> => {
    pass.chain = pass.chain.then(write).catch((err: unknown) => {
      logger.warn({ err }, `sync progress ${what} failed; the sync goes on`);
    });
    return pass.chain;
  };

  const flush = (integrationId: string, model: ModelName, pass: PassProgress): Promise<void> => {
    pass.lastWriteMs = now();
    const counts = {
      integrationId,
      model,
      runId: pass.runId,
      pagesDone: pass.pages,
      recordsDone: pass.records,
    };
    if (pass.hasRow) return enqueue(pass, 'update', () => updateModelProgress(database, counts));
    pass.hasRow = true;
    return enqueue(pass, 'start', () =>
      startModelProgress(database, {
        integrationId,
        model,
        runId: pass.runId,
        isFullPass: pass.isFullPass,
        pageSize,
        pagesDone: pass.pages,
        recordsDone: pass.records,
      }),
    );
  };

  const finish = async (
    integrationId: string,
    model: ModelName,
    runId: number,
    status: Exclude<ProgressStatus, 'running'>,
  ): Promise<void> => {
    const key = keyOf(integrationId, model);
    const pass = passes.get(key);
    if (!pass || pass.runId !== runId) return;
    passes.delete(key);
    if (!pass.hasRow) return;
    await enqueue(pass, 'finish', () =>
      finishModelProgress(database, {
        integrationId,
        model,
        runId,
        status,
        isFullPass: pass.isFullPass,
        pagesDone: pass.pages,
        recordsDone: pass.records,
      }),
    );
  };

  const tracked: SyncStore = {
    ...store,
    async writePage(input) {
      const key = keyOf(input.integrationId, input.model);
      let pass = passes.get(key);
      if (!pass || pass.runId !== input.runId) {
        pass = {
          runId: input.runId,
          isFullPass: input.isFullPass,
          pages: 0,
          records: 0,
          hasRow: false,
          lastWriteMs: now(),
          chain: Promise.resolve(),
        };
        passes.set(key, pass);
        // A full pass is long: show it at once, with what it expects.
        if (input.isFullPass) await flush(input.integrationId, input.model, pass);
      }
      const result = await store.writePage(input);
      pass.pages += 1;
      pass.records += input.records.length + (input.rejected?.length ?? 0);
      if (now() - pass.lastWriteMs >= intervalMs) void flush(input.integrationId, input.model, pass);
      return result;
    },
    async commitModelSuccess(input) {
      await store.commitModelSuccess(input);
      await finish(input.integrationId, input.model, input.runId, 'succeeded');
    },
    async recordModelFailure(input) {
      try {
        await store.recordModelFailure(input);
      } finally {
        await finish(input.integrationId, input.model, input.runId, 'failed');
      }
    },
    async recordModelSkipped(input) {
      try {
        await store.recordModelSkipped(input);
      } finally {
        await finish(input.integrationId, input.model, input.runId, 'cancelled');
      }
    },
  };
  return {
    store: tracked,
    async settle() {
      for (const [key, pass] of [...passes]) {
        const [integrationId, model] = key.split('|') as [string, ModelName];
        await finish(integrationId, model, pass.runId, 'cancelled');
      }
    },
  };
}
