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
  /** Called after each page written, whether or not it changed rows (the run's time slice counts them). */
  onPageWritten?: () => void;
}

export interface ProgressTracking {
  /** The store to hand the engine. */
  readonly store: SyncStore;
  /** Ends the rows of passes that neither committed nor failed (a cancelled run) as `cancelled`; call after the run. */
  settle(): Promise<void>;
}

interface PassTracking {
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

/** A pass's in-memory counts, from its first page (no row written yet). */
const newPass = (runId: number, isFullPass: boolean, nowMs: number): PassTracking => ({
  runId,
  isFullPass,
  pages: 0,
  records: 0,
  hasRow: false,
  lastWriteMs: nowMs,
  chain: Promise.resolve(),
});

/** Runs `write` after the pass's earlier progress writes; a failure is logged (progress is advisory), never thrown. */
function chainWrite(
  pass: PassTracking,
  logger: Logger,
  what: string,
  write: () => Promise<void>,
): Promise<void> {
  pass.chain = pass.chain.then(write).catch((err: unknown) => {
    logger.warn({ err }, `sync progress ${what} failed; the sync goes on`);
  });
  return pass.chain;
}

/** Writes the pass's counts now: its row's first write (with what it expects), else an update. */
function flushPass(
  options: TrackProgressOptions,
  integrationId: string,
  model: ModelName,
  pass: PassTracking,
): Promise<void> {
  const { database, logger } = options;
  pass.lastWriteMs = (options.now ?? Date.now)();
  const counts = {
    integrationId,
    model,
    runId: pass.runId,
    pagesDone: pass.pages,
    recordsDone: pass.records,
  };
  if (pass.hasRow) return chainWrite(pass, logger, 'update', () => updateModelProgress(database, counts));
  pass.hasRow = true;
  const start = { ...counts, isFullPass: pass.isFullPass, pageSize: options.pageSize };
  return chainWrite(pass, logger, 'start', () => startModelProgress(database, start));
}

/** Ends the pass's row, if it has one, with `status` and its final counts. */
function finishPass(
  { database, logger }: TrackProgressOptions,
  integrationId: string,
  model: ModelName,
  pass: PassTracking,
  status: Exclude<ProgressStatus, 'running'>,
): Promise<void> {
  if (!pass.hasRow) return Promise.resolve();
  const { runId, isFullPass, pages: pagesDone, records: recordsDone } = pass;
  return chainWrite(pass, logger, 'finish', () =>
    finishModelProgress(database, {
      integrationId,
      model,
      runId,
      status,
      isFullPass,
      pagesDone,
      recordsDone,
    }),
  );
}

type FinalStatus = Exclude<ProgressStatus, 'running'>;
/** Which pass: of `model` of the integration, in run `runId`. */
type PassOf = { integrationId: string; model: ModelName; runId: number };

const passKey = (integrationId: string, model: ModelName) => `${integrationId}|${model}`;

/** Ends the tracked pass `input` names (none, or one of another run: nothing to do) and forgets it. */
async function finishTracked(
  options: TrackProgressOptions,
  passes: Map<string, PassTracking>,
  { integrationId, model, runId }: PassOf,
  status: FinalStatus,
): Promise<void> {
  const key = passKey(integrationId, model);
  const pass = passes.get(key);
  if (!pass || pass.runId !== runId) return;
  passes.delete(key);
  await finishPass(options, integrationId, model, pass, status);
}

/**
 * Wraps the engine's store so each model's pass records its progress in `sync_progress` (pages and records done,
 * what it expects), readable from any process. Cheap by design: counts are kept in memory and written at most once
 * per `intervalMs` per pass (never per record, never inside the page's transaction, so the page's own work is
 * unchanged); a full pass writes its row at its first page, a short delta pass writes nothing at all. Progress is
 * advisory: a failed progress write is logged and the sync goes on.
 */
export function trackProgress(store: SyncStore, options: TrackProgressOptions): ProgressTracking {
  const now = options.now ?? Date.now;
  const passes = new Map<string, PassTracking>();

  const finish = (input: PassOf, status: FinalStatus) => finishTracked(options, passes, input, status);

  /** Runs `write`, then ends the pass's row with `status` whether or not `write` failed. */
  const finishAfter = async (
    input: PassOf,
    status: FinalStatus,
    write: () => Promise<void>,
  ): Promise<void> => {
    try {
      await write();
    } finally {
      await finish(input, status);
    }
  };

  const tracked: SyncStore = {
    ...store,
    async writePage(input) {
      const key = passKey(input.integrationId, input.model);
      let pass = passes.get(key);
      if (!pass || pass.runId !== input.runId) {
        pass = newPass(input.runId, input.isFullPass, now());
        passes.set(key, pass);
        // A full pass is long: show it at once, with what it expects.
        if (input.isFullPass) await flushPass(options, input.integrationId, input.model, pass);
      }
      const result = await store.writePage(input);
      pass.pages += 1;
      pass.records += input.records.length + (input.rejected?.length ?? 0);
      options.onPageWritten?.();
      if (now() - pass.lastWriteMs >= options.intervalMs)
        void flushPass(options, input.integrationId, input.model, pass);
      return result;
    },
    async commitModelSuccess(input) {
      await store.commitModelSuccess(input);
      await finish(input, 'succeeded');
    },
    recordModelFailure: (input) => finishAfter(input, 'failed', () => store.recordModelFailure(input)),
    recordModelSkipped: (input) => finishAfter(input, 'cancelled', () => store.recordModelSkipped(input)),
  };
  return {
    store: tracked,
    async settle() {
      for (const [key, pass] of [...passes]) {
        const [integrationId, model] = key.split('|') as [string, ModelName];
        await finish({ integrationId, model, runId: pass.runId }, 'cancelled');
      }
    },
  };
}
