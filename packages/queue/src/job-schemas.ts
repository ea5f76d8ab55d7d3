import { z } from 'zod';

/** Data of a coalesced `sync` job. The work itself is in the integration's intent in Redis, not here. */
export const syncJobDataSchema = z.object({
  integrationId: z.string().min(1),
  /** Request id of the ingress request (or CLI call) that created the job, for tracing. */
  requestId: z.string().optional(),
});
export type SyncJobData = z.infer<typeof syncJobDataSchema>;

/** Data of a `scheduled-sync` job produced by a job scheduler. */
export const scheduledSyncJobDataSchema = z.object({
  integrationId: z.string().min(1),
  kind: z.enum(['full', 'delta']),
});
export type ScheduledSyncJobData = z.infer<typeof scheduledSyncJobDataSchema>;

/** One message of the outbound change feed: the ids one committed page changed or deleted. */
export const changeMessageSchema = z.object({
  integrationId: z.string().min(1),
  model: z.string().min(1),
  runId: z.number().int(),
  changedIds: z.array(z.string()),
  deletedIds: z.array(z.string()),
  /** Kombo-side time (ISO-8601) of the response that carried the changes. */
  komboTime: z.string(),
});
export type ChangeMessage = z.infer<typeof changeMessageSchema>;
