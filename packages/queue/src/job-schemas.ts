import { z } from 'zod';
import { dataVersionSchema as dataVersion } from './data-version.js';

/** Data of a coalesced `sync` job. The work itself is in the integration's intent in Redis, not here. */
export const syncJobDataSchema = z.object({
  /** Data version of the release that added the job (`QUEUE_DATA_VERSION`). */
  v: dataVersion,
  integrationId: z.string().min(1),
  /** Request id of the ingress request (or CLI call) that created the job, for tracing. */
  requestId: z.string().optional(),
  /**
   * W3C `traceparent` of the request that added the job (set only while tracing is on): the job's span continues
   * that trace. A coalesced job keeps the first request's; the run links to the others through the intent.
   */
  traceparent: z.string().max(64).optional(),
});
export type SyncJobData = z.infer<typeof syncJobDataSchema>;

/**
 * Data of a `scheduled-sync` job produced by the integration's job scheduler. Without `kind` the worker decides
 * full or delta at run time; `kind` is set only by the two schedulers of earlier versions.
 */
export const scheduledSyncJobDataSchema = z.object({
  /** Data version of the release that registered the scheduler (`QUEUE_DATA_VERSION`). */
  v: dataVersion,
  integrationId: z.string().min(1),
  kind: z.enum(['full', 'delta']).optional(),
});
export type ScheduledSyncJobData = z.infer<typeof scheduledSyncJobDataSchema>;

/**
 * One message of the outbound change feed: the ids one committed page (or full-sync reconciliation) changed or
 * deleted. Every mirror row it names has `last_run_id` = `runId` (or a later run's id).
 */
export const changeMessageSchema = z.object({
  integrationId: z.string().min(1),
  model: z.string().min(1),
  runId: z.number().int(),
  changedIds: z.array(z.string()),
  deletedIds: z.array(z.string()),
  /** Kombo-side time (ISO-8601) of the response that carried the changes. */
  komboTime: z.string(),
  /**
   * Messages the feed had dropped unread (it was at its bound) when this one was published. A consumer that sees
   * it grow past the last value it saw has missed messages and should re-read what it needs from the mirror.
   */
  droppedCount: z.number().int().nonnegative(),
});
export type ChangeMessage = z.infer<typeof changeMessageSchema>;
