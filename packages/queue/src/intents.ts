import { randomUUID } from 'node:crypto';
import { NewerQueueDataError, QUEUE_DATA_VERSION } from './data-version.js';
import { encodeIntentPatch, parseStoredIntent, type Intent } from './intent.js';
import {
  COMPLETE_INTENT_LUA,
  MARK_QUEUED_LUA,
  RECORD_INTENT_LUA,
  runScript,
  TAKE_INTENT_LUA,
} from './intent-scripts.js';
import { intentKeys } from './names.js';
import type { RedisConnection } from './create-redis.js';

export interface RecordIntentOptions {
  integrationId: string;
  /** Webhook event id: the idempotency key. Omit for schedules and manual triggers (never a replay). */
  eventId?: string;
  /** How long an event id is remembered as seen, in seconds. */
  replayTtlSeconds: number;
  /** The work to merge into the integration's pending intent. */
  intent: Partial<Intent>;
}

export interface RecordIntentResult {
  isReplay: boolean;
  /** A pending intent exists afterwards. */
  hasPending: boolean;
  /** Generation of the pending intent (new for each intent created after a take); '' on a replay. */
  generation: string;
  /**
   * True when the pending intent already existed, a sync job was ensured for this generation after it was created
   * ({@link markSyncJobQueued}) and that job still exists unfinished. That job has not taken the intent yet (the
   * take would have ended the generation), so it will read this merge: adding another job is unnecessary.
   */
  isQueued: boolean;
}

/**
 * One atomic Lua step: when `eventId` was already seen, nothing is written and `isReplay` is true; otherwise the
 * event id is marked seen (expiring after `replayTtlSeconds`), `intent` is merged into the integration's pending
 * intent and the integration is added to the dirty set. `hasPending`: a pending intent exists afterwards, i.e. a
 * sync job must exist (call {@link ensureSyncJob} when `!isReplay || hasPending`, unless `isQueued`).
 */
export async function recordIntent(
  redis: RedisConnection,
  prefix: string,
  { integrationId, eventId, replayTtlSeconds, intent }: RecordIntentOptions,
): Promise<RecordIntentResult> {
  const keys = [
    intentKeys.pending(prefix, integrationId),
    intentKeys.dirty(prefix),
    intentKeys.queued(prefix, integrationId),
  ];
  if (eventId !== undefined) keys.push(intentKeys.seenEvent(prefix, eventId));
  const args = [
    encodeIntentPatch(intent),
    integrationId,
    Math.max(1, Math.round(replayTtlSeconds)),
    randomUUID(),
    `${prefix}:`,
  ];
  const [isReplay, hasPending, generation, isQueued] = (await runScript(
    redis,
    RECORD_INTENT_LUA,
    keys,
    args,
  )) as [number, number, string, number];
  return { isReplay: isReplay === 1, hasPending: hasPending === 1, generation, isQueued: isQueued === 1 };
}

/**
 * Records that job `jobId` of queue `queueName` (as `ensureSyncJob` returned it) will take the pending intent of
 * `generation`, so later `recordIntent` calls of that generation report `isQueued`. A no-op once that generation
 * was taken. Only an optimisation hint: when it is missing, callers just add the (deduplicated) job again.
 */
export async function markSyncJobQueued(
  redis: RedisConnection,
  prefix: string,
  integrationId: string,
  generation: string,
  { queueName, jobId }: { queueName: string; jobId: string },
): Promise<void> {
  const keys = [intentKeys.pending(prefix, integrationId), intentKeys.queued(prefix, integrationId)];
  await runScript(redis, MARK_QUEUED_LUA, keys, [generation, `${queueName}:${jobId}`]);
}

/** An intent taken by a run, with the id of that take (see {@link completeIntent}). */
export type TakenIntent = Intent & { readonly takeId: string };

/**
 * Called when a sync run starts: atomically moves the pending intent to in-flight, merging it into an in-flight
 * intent left by an attempt that crashed or failed, removes the integration from the dirty set and returns the
 * merged in-flight intent (null when there is nothing to do), stamped with a new take id. Calling it again before
 * {@link completeIntent} returns the same intent plus anything recorded since, so a retried or stalled job loses
 * nothing. Throws {@link NewerQueueDataError}, taking nothing, when the pending or in-flight intent was written by
 * a release newer than `readerVersion` (default {@link QUEUE_DATA_VERSION}).
 */
export async function takeIntent(
  redis: RedisConnection,
  prefix: string,
  integrationId: string,
  { readerVersion = QUEUE_DATA_VERSION }: { readerVersion?: number } = {},
): Promise<TakenIntent | null> {
  const keys = [
    intentKeys.pending(prefix, integrationId),
    intentKeys.inFlight(prefix, integrationId),
    intentKeys.dirty(prefix),
    intentKeys.queued(prefix, integrationId),
  ];
  const takeId = randomUUID();
  const taken = (await runScript(redis, TAKE_INTENT_LUA, keys, [integrationId, takeId, readerVersion])) as
    string | [string, string] | null;
  if (Array.isArray(taken)) throw new NewerQueueDataError('intent', Number(taken[1]), readerVersion);
  return taken === null ? null : { ...parseStoredIntent(taken), takeId };
}

/**
 * Called after a sync run committed: forgets the in-flight intent, unless a later take (another attempt of the job,
 * e.g. one BullMQ handed out again while this one still ran) has merged more work into it since: then that take
 * owns it. `remainder` is work the run hands on instead of doing it (a delta-lane run leaves full passes to the
 * bulk lane): it goes back into the pending intent in the same atomic step, so it is never lost; the caller then
 * ensures a job for it. Work recorded since the take stays pending either way. Returns whether the take was the
 * latest (when not, the remainder is already part of the later take).
 */
export async function completeIntent(
  redis: RedisConnection,
  prefix: string,
  integrationId: string,
  takeId: string,
  remainder?: Partial<Intent>,
): Promise<boolean> {
  const keys = [
    intentKeys.inFlight(prefix, integrationId),
    intentKeys.pending(prefix, integrationId),
    intentKeys.dirty(prefix),
  ];
  const args = [takeId, remainder ? encodeIntentPatch(remainder) : '', integrationId, randomUUID()];
  return (await runScript(redis, COMPLETE_INTENT_LUA, keys, args)) === 1;
}

/** Reads the pending intent without taking it (dashboards, tests); null when none. */
export async function peekIntent(
  redis: RedisConnection,
  prefix: string,
  integrationId: string,
): Promise<Intent | null> {
  const json = await redis.get(intentKeys.pending(prefix, integrationId));
  return json === null ? null : parseStoredIntent(json);
}

/**
 * Integrations with a pending intent not yet taken by a run. A sweeper calls {@link ensureSyncJob} for each, to
 * repair a crash between `recordIntent` and the job add (a job that already exists is deduplicated).
 */
export async function dirtyIntegrations(redis: RedisConnection, prefix: string): Promise<string[]> {
  return redis.smembers(intentKeys.dirty(prefix));
}
