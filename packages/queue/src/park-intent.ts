import { randomUUID } from 'node:crypto';
import { encodeIntentPatch, type Intent } from './intent.js';
import { MERGE_LUA, runScript } from './intent-scripts.js';
import { intentKeys } from './names.js';
import type { RedisConnection } from './create-redis.js';

/**
 * KEYS: in-flight, pending. ARGV: take id, work patch JSON, generation token for a new pending intent. When the
 * take is still the latest: deletes the in-flight intent and merges the work into the pending intent without
 * marking the integration dirty (no sweeper adds a job for it). Returns 1, else 0.
 */
const PARK_INTENT_LUA = `${MERGE_LUA}
local inFlight = redis.call('GET', KEYS[1])
if not inFlight or cjson.decode(inFlight).take ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
local current = redis.call('GET', KEYS[2])
local merged
if current then
  merged = merge(cjson.decode(current), cjson.decode(ARGV[2]))
else
  merged = merge({ models = {}, full = false }, cjson.decode(ARGV[2]))
  merged.gen = ARGV[3]
end
redis.call('SET', KEYS[2], cjson.encode(merged))
return 1
`;

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
