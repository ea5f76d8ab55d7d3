import { Queue, type ConnectionOptions } from 'bullmq';
import { z } from 'zod';
import { dataVersionSchema, QUEUE_DATA_VERSION } from './data-version.js';
import { DEFAULT_QUEUE_PREFIX, SIGNALS_QUEUE, SIGNAL_JOB_NAME } from './names.js';

/**
 * What Kombo told us about an integration's health, to be recorded in Postgres at once, whatever run holds the
 * integration: its state (`integration-state-changed`), its own sync's outcome (`sync-finished`), or a failed
 * connection attempt (`connection-flow-failed`, which names no integration).
 */
export const komboSignalSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('state'),
    integrationId: z.string().min(1),
    state: z.string(),
    setupStatus: z.string().optional(),
    qaStatus: z.string().optional(),
    /** Kombo's `updated_at` (ISO-8601): an older state never overwrites a newer one. */
    updatedAt: z.string(),
  }),
  z.object({
    kind: z.literal('sync-finished'),
    integrationId: z.string().min(1),
    syncId: z.string(),
    syncState: z.string(),
    /** ISO-8601. */
    endedAt: z.string(),
    logUrl: z.string().nullable(),
  }),
  z.object({
    kind: z.literal('connection-flow-failed'),
    tool: z.string(),
    category: z.string(),
    originId: z.string().nullable(),
    organizationName: z.string().nullable(),
    creatorEmail: z.string().nullable(),
    logUrl: z.string().nullable(),
  }),
]);
export type KomboSignal = z.infer<typeof komboSignalSchema>;

/**
 * Data of a `record-signal` job: the webhook's event id (recording is idempotent by it) and the signal; `v`, the
 * data version of the release that queued it (`QUEUE_DATA_VERSION`), is stamped by {@link queueSignal}.
 */
export const signalJobDataSchema = z.object({
  v: dataVersionSchema,
  eventId: z.string().min(1),
  signal: komboSignalSchema,
});
export type SignalJobData = z.infer<typeof signalJobDataSchema>;

/**
 * Creates the signals queue (`kombo-sync-signals`) on `connection` under `prefix` (default `{kombo-sync}`). It is
 * not a sync lane: its jobs take milliseconds, need no lease and are never rate limited with the lanes, so a state
 * change is recorded while a long pass of the same integration runs.
 */
export function createSignalQueue(
  connection: ConnectionOptions,
  { prefix = DEFAULT_QUEUE_PREFIX } = {},
): Queue {
  return new Queue(SIGNALS_QUEUE, { connection, prefix });
}

/**
 * Queues the recording of a webhook's signal. The job id comes from the event id, so Kombo's retries and duplicates
 * add nothing while the job is kept (and recording it twice changes nothing). Retried with backoff when Postgres
 * is down.
 */
export async function queueSignal(queue: Queue, data: SignalJobData): Promise<void> {
  await queue.add(
    SIGNAL_JOB_NAME,
    { ...data, v: QUEUE_DATA_VERSION },
    {
      jobId: `signal-${data.eventId}`,
      attempts: 10,
      backoff: { type: 'exponential', delay: 1_000 },
      removeOnComplete: { count: 100, age: 24 * 60 * 60 },
      removeOnFail: { count: 1_000, age: 7 * 24 * 60 * 60 },
    },
  );
}
