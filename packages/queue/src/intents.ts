import type { Redis } from 'ioredis';
import { encodeIntentPatch, parseStoredIntent, type Intent } from './intent.js';
import { RECORD_INTENT_LUA, runScript, TAKE_INTENT_LUA } from './intent-scripts.js';
import { intentKeys } from './names.js';

export interface RecordIntentOptions {
  integrationId: string;
  /** Webhook event id: the idempotency key. Omit for schedules and manual triggers (never a replay). */
  eventId?: string;
  /** How long an event id is remembered as seen, in seconds. */
  replayTtlSeconds: number;
  /** The work to merge into the integration's pending intent. */
  intent: Partial<Intent>;
}

/**
 * One atomic Lua step: when `eventId` was already seen, nothing is written and `isReplay` is true; otherwise the
 * event id is marked seen (expiring after `replayTtlSeconds`), `intent` is merged into the integration's pending
 * intent and the integration is added to the dirty set. `hasPending`: a pending intent exists afterwards, i.e. a
 * sync job must exist (call {@link ensureSyncJob} when `!isReplay || hasPending`).
 */
export async function recordIntent(
  redis: Redis,
  prefix: string,
  { integrationId, eventId, replayTtlSeconds, intent }: RecordIntentOptions,
): Promise<{ isReplay: boolean; hasPending: boolean }> {
  const keys = [intentKeys.pending(prefix, integrationId), intentKeys.dirty(prefix)];
  if (eventId !== undefined) keys.push(intentKeys.seenEvent(prefix, eventId));
  const args = [encodeIntentPatch(intent), integrationId, Math.max(1, Math.round(replayTtlSeconds))];
  const [isReplay, hasPending] = (await runScript(redis, RECORD_INTENT_LUA, keys, args)) as [number, number];
  return { isReplay: isReplay === 1, hasPending: hasPending === 1 };
}

/**
 * Called when a sync run starts: atomically moves the pending intent to in-flight, merging it into an in-flight
 * intent left by an attempt that crashed or failed, removes the integration from the dirty set and returns the
 * merged in-flight intent (null when there is nothing to do). Calling it again before {@link completeIntent}
 * returns the same intent plus anything recorded since, so a retried or stalled job loses nothing.
 */
export async function takeIntent(
  redis: Redis,
  prefix: string,
  integrationId: string,
): Promise<Intent | null> {
  const keys = [
    intentKeys.pending(prefix, integrationId),
    intentKeys.inFlight(prefix, integrationId),
    intentKeys.dirty(prefix),
  ];
  const json = (await runScript(redis, TAKE_INTENT_LUA, keys, [integrationId])) as string | null;
  return json === null ? null : parseStoredIntent(json);
}

/** Called after a sync run committed: forgets the in-flight intent (work recorded since stays pending). */
export async function completeIntent(redis: Redis, prefix: string, integrationId: string): Promise<void> {
  await redis.del(intentKeys.inFlight(prefix, integrationId));
}

/** Reads the pending intent without taking it (dashboards, tests); null when none. */
export async function peekIntent(
  redis: Redis,
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
export async function dirtyIntegrations(redis: Redis, prefix: string): Promise<string[]> {
  return redis.smembers(intentKeys.dirty(prefix));
}
