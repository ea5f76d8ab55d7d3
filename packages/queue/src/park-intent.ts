import { randomUUID } from 'node:crypto';
import { encodeIntentPatch, type Intent } from './intent.js';
import { PARK_INTENT_LUA, runScript } from './intent-scripts.js';
import { intentKeys } from './names.js';
import type { RedisConnection } from './create-redis.js';

/**
 * Called by a run of a paused integration instead of {@link completeIntent}: the taken work goes back into the
 * pending intent, where webhooks and schedules keep merging theirs, and waits there for the resume (whose
 * `requestSync` ensures the job that takes it). The integration is not marked dirty, so the sweeper does not keep
 * adding jobs for it; a webhook still adds one, which parks the work again without a Kombo request. Returns whether
 * the take was the latest (when not, a later take holds the work).
 */
export async function parkIntent(
  redis: RedisConnection,
  prefix: string,
  integrationId: string,
  takeId: string,
  work: Partial<Intent>,
): Promise<boolean> {
  const keys = [intentKeys.inFlight(prefix, integrationId), intentKeys.pending(prefix, integrationId)];
  const args = [takeId, encodeIntentPatch(work), randomUUID()];
  return (await runScript(redis, PARK_INTENT_LUA, keys, args)) === 1;
}
