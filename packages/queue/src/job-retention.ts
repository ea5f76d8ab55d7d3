import type { KeepJobs } from 'bullmq';

/**
 * How many finished jobs of each lane Redis keeps, for Bull Board and `retry-failed`. Bounded by count and age so
 * an idle fleet's Redis does not grow with its number of integrations: a run's record is `sync_runs`, not the job.
 */
export const SYNC_JOB_RETENTION: { removeOnComplete: KeepJobs; removeOnFail: KeepJobs } = {
  removeOnComplete: { count: 100, age: 24 * 60 * 60 },
  removeOnFail: { count: 1_000, age: 7 * 24 * 60 * 60 },
};

/** Finished `scheduled-sync` jobs kept: they only record an intent, so a few for Bull Board are enough. */
export const SCHEDULED_JOB_RETENTION: { removeOnComplete: KeepJobs; removeOnFail: KeepJobs } = {
  removeOnComplete: { count: 10 },
  removeOnFail: { count: 100 },
};

/**
 * Most entries of each sync lane's BullMQ event stream (BullMQ's default is 10,000, trimmed approximately). Its
 * readers (`sync --wait`, Bull Board) only need recent events: `sync --wait` polls `sync_runs` and uses events to
 * wake up early. Every `Queue` of a lane must pass the same value: BullMQ stores it in the queue's meta hash.
 */
export const SYNC_EVENTS_MAX_LEN = 1_000;
