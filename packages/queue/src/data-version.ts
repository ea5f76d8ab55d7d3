import { z } from 'zod';

/**
 * Version of the data this release writes into Redis for workers to read: `sync` and `scheduled-sync` job data and
 * the intents. Every writer stamps it (`v`; an intent merged from several writers keeps the highest), and a worker
 * leaves data stamped higher than its own version to a newer worker instead of failing it, so during a rolling
 * deploy old and new workers run side by side. Bump it with any change to the job data or the intent that an older
 * worker would get wrong (a new field it would drop, a field whose meaning changes); additions older workers may
 * ignore need no bump. Data without a stamp was written before versions existed and reads as version 1.
 */
export const QUEUE_DATA_VERSION = 2;
// History: 1, the first stamped data; 2, intents may carry `fullModels` (the full passes a stopped run handed back),
// which a version-1 worker would drop (it would sync those models as deltas and leave their open passes).

/** The `v` field of job data: the writer's data version; absent on data written before versions. */
export const dataVersionSchema = z.number().int().positive().optional();

/** Thrown when a job's data or an intent was written by a newer release: leave it for a newer worker. */
export class NewerQueueDataError extends Error {
  readonly code = 'QUEUE.NEWER_DATA_VERSION';
  /** Not this worker's to retry: the job waits, no attempt used, until a worker that reads `version` takes it. */
  readonly isRetryable = true;
  constructor(
    readonly what: 'job' | 'intent',
    readonly version: number,
    readonly readerVersion: number,
  ) {
    super(`${what} data of version ${version} is newer than this worker reads (${readerVersion})`);
    this.name = 'NewerQueueDataError';
  }
}

/** The version stamped on a job's data or a stored intent (`v`); 1 when unstamped. */
export function dataVersionOf(data: unknown): number {
  const v = typeof data === 'object' && data !== null ? (data as { v?: unknown }).v : undefined;
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : 1;
}

/**
 * Throws {@link NewerQueueDataError} when `data` (a job's data) was written by a release newer than
 * `readerVersion` (default {@link QUEUE_DATA_VERSION}). Call it before parsing the data: its shape may be one this
 * release does not know.
 */
export function assertReadableJobData(data: unknown, readerVersion: number = QUEUE_DATA_VERSION): void {
  const version = dataVersionOf(data);
  if (version > readerVersion) throw new NewerQueueDataError('job', version, readerVersion);
}
