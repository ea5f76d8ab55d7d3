import { SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import { ensureSyncJob, type EnsureSyncJobOptions } from './ensure-sync-job.js';
import type { Intent } from './intent.js';
import { markSyncJobQueued, recordIntent } from './intents.js';
import { laneQueues, type SyncLane, type SyncQueues } from './sync-queues.js';
import type { RedisConnection } from './create-redis.js';
import { isSampledTraceparent, traceparentOf } from './trace-context.js';

export interface RequestSyncDeps {
  redis: RedisConnection;
  queues: SyncQueues;
  /** Prefix of every Redis key (`QUEUE_PREFIX`). */
  prefix: string;
  /** Attempts and backoff of the job (`SYNC_JOB_ATTEMPTS`); default those of `ensureSyncJob`. */
  jobOptions?: Pick<EnsureSyncJobOptions, 'attempts' | 'backoffMs'>;
  /** Spans `record intent` and `send <queue>`. Default the OpenTelemetry API's global tracer (a no-op without an SDK). */
  tracer?: Tracer;
}

/** What {@link requestSyncDeps} reads from a process's config (the same keys in every process's config). */
export interface SyncRequestSettings {
  /** `QUEUE_PREFIX`. */
  readonly queuePrefix: string;
  /** `SYNC_JOB_ATTEMPTS`. */
  readonly jobAttempts: number;
  /** First backoff delay between attempts, ms. Default `ensureSyncJob`'s. */
  readonly jobBackoffMs?: number;
}

/**
 * The dependencies of {@link requestSync} (and `applyControlChange`) for one process: its Redis connection and sync
 * queues, with the key prefix and job options of its config. Built once where the process wires its connections,
 * and handed to whatever asks for syncs.
 */
export function requestSyncDeps(
  redis: RedisConnection,
  queues: SyncQueues,
  config: SyncRequestSettings,
): RequestSyncDeps {
  const backoff = config.jobBackoffMs === undefined ? {} : { backoffMs: config.jobBackoffMs };
  return {
    redis,
    queues,
    prefix: config.queuePrefix,
    jobOptions: { attempts: config.jobAttempts, ...backoff },
  };
}

export interface SyncRequest {
  integrationId: string;
  /** The work, with what asked for it (`triggers`, e.g. a webhook type, `manual`, `schedule:full`) and request ids. */
  intent: Partial<Intent>;
  /** A webhook's event id: the idempotency key (a replay records nothing). Omit for schedules and manual requests. */
  eventId?: string;
  /** How long the event id is remembered, in seconds; needed with `eventId`. */
  replayTtlSeconds?: number;
  /** Traces the job back to the request (ingress request id, CLI or dashboard request). */
  requestId?: string;
}

export interface RequestSyncResult {
  isReplay: boolean;
  /** The job that will take the work, when one was ensured (none for a replay, or when one already waits for it). */
  jobId?: string;
  lane?: SyncLane;
}

/**
 * The lane a job for `intent` waits in, the one place that decides it: bulk work (a full pass, a new integration, or
 * work the worker marked with a `slice`) goes to the lane {@link bulkLaneOf} names; everything else is a change for
 * the delta lane (which hands on initial passes of models it finds never synced).
 */
export function laneOf(intent: Partial<Intent>): SyncLane {
  const isBulkWork = intent.full || intent.created || intent.slice || (intent.fullModels?.length ?? 0) > 0;
  return isBulkWork ? bulkLaneOf(intent) : 'delta';
}

/**
 * The lane of bulk work: a pass that already ran a time slice goes on in the bulk lane; the first slice of an
 * integration with nothing committed yet (an `integration-created`, or work the worker marked `slice: 'first'`)
 * goes to the onboarding lane; any other full or initial pass to the bulk lane.
 */
export function bulkLaneOf(intent: Partial<Intent>): Exclude<SyncLane, 'delta'> {
  if (intent.slice === 'next') return 'bulk';
  return intent.slice === 'first' || intent.created ? 'onboarding' : 'bulk';
}

/** Pages of a pass under way per step of its next slice's priority (see {@link priorityOf}). */
export const SLICE_PRIORITY_PAGES = 20;

/** Steps of next-slice priority; passes further along share the last one, first in, first out. */
const SLICE_PRIORITY_STEPS = 1_000_000;

/** The periodic full syncs' priority in the onboarding and bulk lanes: behind every pass under way. */
const PERIODIC_FULL_PRIORITY = SLICE_PRIORITY_STEPS + 2;

/** Whether `intent` is the next slice of a pass under way in `lane`: its priority counts its open passes' pages. */
export function isNextSlice(intent: Partial<Intent>, lane: SyncLane): boolean {
  return lane === 'bulk' && intent.slice === 'next';
}

/**
 * A job's BullMQ priority within its lane. BullMQ takes jobs without a priority first, then prioritized ones by
 * number, first in first out within a number. Delta lane: what someone waits for (a webhook's change, a manual sync)
 * goes first, then the safety-net deltas (1). Onboarding and bulk lanes: a manual request first, then initial syncs
 * (1), then every next slice of a pass under way, whatever started it, by how much of its passes is done
 * (`openPassPages`, in steps of {@link SLICE_PRIORITY_PAGES} pages from 1): the pass that has done least goes first,
 * so passes under way progress at the same rate however late each began; then the periodic full syncs that have not
 * begun, so a started pass is never starved by them.
 */
export function priorityOf(intent: Partial<Intent>, lane: SyncLane, openPassPages = 0): number | undefined {
  const triggers = intent.triggers ?? [];
  const isScheduled = triggers.some((trigger) => trigger.startsWith('schedule'));
  if (isNextSlice(intent, lane))
    return 1 + Math.min(Math.floor(openPassPages / SLICE_PRIORITY_PAGES), SLICE_PRIORITY_STEPS);
  if (triggers.includes('manual')) return undefined;
  if (lane === 'delta') return isScheduled ? 1 : undefined;
  return isScheduled ? PERIODIC_FULL_PRIORITY : 1;
}

/**
 * The one way work is asked for, by webhooks, schedules, the CLI and the dashboard alike: records the intent (one
 * atomic step with the replay check, see `recordIntent`), then makes sure the integration's coalesced job exists in
 * the lane the work belongs to, with its priority — unless an unfinished job already waits for this intent. Only
 * when this resolves is the work durable in Redis.
 */
export async function requestSync(deps: RequestSyncDeps, request: SyncRequest): Promise<RequestSyncResult> {
  const { integrationId } = request;
  const tracer = deps.tracer ?? defaultTracer;
  // The caller's trace (e.g. the webhook's span): the job continues it, the run links to it through the intent.
  const traceparent = traceparentOf();
  const intent =
    traceparent !== undefined && isSampledTraceparent(traceparent)
      ? { ...request.intent, traceparents: [traceparent] }
      : request.intent;
  const attributes = { 'kombo_sync.integration_id': integrationId };
  const recorded = await tracer.startActiveSpan('record intent', { attributes }, (span) =>
    endSpan(
      span,
      recordIntent(deps.redis, deps.prefix, {
        integrationId,
        ...(request.eventId === undefined ? {} : { eventId: request.eventId }),
        // Unused without an event id, but the script needs a positive TTL.
        replayTtlSeconds: request.replayTtlSeconds ?? 1,
        intent,
      }),
      (result) => ({ 'kombo_sync.replay': result.isReplay, 'kombo_sync.job_queued': result.isQueued }),
    ),
  );
  // A state change (e.g. the setup sync finished) ends any wait of the integration's job (setup pending backs
  // off up to an hour): it runs now.
  if (intent.state && !recorded.isReplay) await promoteDelayedJobs(deps.queues, integrationId);
  const needsJob = (!recorded.isReplay || recorded.hasPending) && !recorded.isQueued;
  if (!needsJob) return { isReplay: recorded.isReplay };
  const lane = laneOf(intent);
  const queue = deps.queues[lane];
  const priority = priorityOf(intent, lane);
  const jobId = await sendSyncJob(tracer, queue, integrationId, {
    ...deps.jobOptions,
    ...(priority === undefined ? {} : { priority }),
    ...(request.requestId === undefined ? {} : { requestId: request.requestId }),
  });
  if (jobId && recorded.generation) {
    // A hint for later requests only; not awaited, a failure just means they add the job again.
    markSyncJobQueued(deps.redis, deps.prefix, integrationId, recorded.generation, {
      queueName: queue.name,
      jobId,
    }).catch(() => undefined);
  }
  return { isReplay: recorded.isReplay, lane, ...(jobId === undefined ? {} : { jobId }) };
}

/**
 * Ensures the integration's job in `queue` ({@link ensureSyncJob}) in its `send <queue>` span, whose own context
 * goes into the job: the worker's job span becomes its child.
 */
function sendSyncJob(
  tracer: Tracer,
  queue: SyncQueues[SyncLane],
  integrationId: string,
  options: Omit<EnsureSyncJobOptions, 'traceparent'>,
): Promise<string | undefined> {
  const attributes = {
    'kombo_sync.integration_id': integrationId,
    'messaging.system': 'bullmq',
    'messaging.operation.type': 'send',
    'messaging.destination.name': queue.name,
  };
  return tracer.startActiveSpan(`send ${queue.name}`, { kind: SpanKind.PRODUCER, attributes }, (span) => {
    const jobTraceparent = traceparentOf();
    return endSpan(
      span,
      ensureSyncJob(queue, integrationId, {
        ...options,
        ...(jobTraceparent === undefined ? {} : { traceparent: jobTraceparent }),
      }),
      (id) => (id === undefined ? {} : { 'messaging.message.id': id }),
    );
  });
}

const defaultTracer = trace.getTracer('@kombo-sync/queue');

/**
 * Ends `span` when `work` settles: with the attributes `attributesOf` reads from its result, or with an error
 * status naming only the error's class (its message may hold data).
 */
async function endSpan<T>(span: Span, work: Promise<T>, attributesOf: (result: T) => Attributes): Promise<T> {
  try {
    const result = await work;
    if (span.isRecording()) span.setAttributes(attributesOf(result));
    return result;
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : 'error' });
    throw err;
  } finally {
    span.end();
  }
}

/** Moves the integration's sync job of every lane from delayed to waiting, if it is delayed. */
async function promoteDelayedJobs(queues: SyncQueues, integrationId: string): Promise<void> {
  for (const queue of laneQueues(queues)) {
    const jobId = await queue.getDeduplicationJobId(integrationId);
    const job = jobId ? await queue.getJob(jobId) : undefined;
    // It may start or finish meanwhile: then there is nothing to promote.
    if (job && (await job.isDelayed())) await job.promote().catch(() => undefined);
  }
}
