import { createHash } from 'node:crypto';
import { MAX_INTENT_REQUEST_IDS, MAX_INTENT_TRACEPARENTS, MAX_INTENT_TRIGGERS } from './intent.js';
import type { RedisConnection } from './create-redis.js';
import { includeLua } from './include-lua.js';

/**
 * The Lua steps the intent scripts share, pulled into a script with `--- @include "name"` (see {@link includeLua}).
 * `merge` merges intent table `add` into `base` (see `Intent` for the rules) and returns `base`;
 * `mergeIntoPending` merges a patch into the pending intent, creating it with a new generation token, and returns
 * the merged intent and whether it existed; `endTake` is the step a run ends its take with: when the take is still
 * the latest, it deletes the in-flight intent and merges the work it hands back into the pending intent.
 */
const INTENT_FRAGMENTS = {
  merge: `
local function appendUnique(list, items, cap)
  local seen = {}
  for _, v in ipairs(list) do seen[v] = true end
  for _, v in ipairs(items) do
    if not seen[v] then seen[v] = true; list[#list + 1] = v end
  end
  while #list > cap do table.remove(list, 1) end
  return list
end

local function merge(base, add)
  base.v = math.max(tonumber(base.v) or 1, tonumber(add.v) or 1)
  if base.models == 'all' or add.models == 'all' then
    base.models = 'all'
  else
    base.models = appendUnique(base.models or {}, add.models or {}, 100000)
  end
  base.full = (base.full == true) or (add.full == true)
  if type(add.fullModels) == 'table' and #add.fullModels > 0 then
    base.fullModels = appendUnique(type(base.fullModels) == 'table' and base.fullModels or {}, add.fullModels, 100000)
  end
  -- created and deleted: the later one wins (a re-created id is live, a deleted one is gone)
  if type(add.created) == 'table' then base.created = add.created; base.deleted = nil end
  if type(add.deleted) == 'table' then base.deleted = add.deleted; base.created = nil end
  if type(add.state) == 'table' and (type(base.state) ~= 'table' or (add.stateAtMs or 0) >= (base.stateAtMs or 0)) then
    base.state = add.state
    base.stateAtMs = add.stateAtMs
  end
  base.triggers = appendUnique(base.triggers or {}, add.triggers or {}, ${MAX_INTENT_TRIGGERS})
  local ids = base.requestIds or {}
  for _, v in ipairs(add.requestIds or {}) do ids[#ids + 1] = v end
  while #ids > ${MAX_INTENT_REQUEST_IDS} do table.remove(ids, 1) end
  base.requestIds = ids
  if type(add.traceparents) == 'table' and #add.traceparents > 0 then
    base.traceparents = appendUnique(type(base.traceparents) == 'table' and base.traceparents or {}, add.traceparents, ${MAX_INTENT_TRACEPARENTS})
  end
  if add.slice == 'next' or base.slice == 'next' then
    base.slice = 'next'
  elseif add.slice == 'first' then
    base.slice = 'first'
  end
  return base
end
`,
  mergeIntoPending: `
--- @include "merge"
local function mergeIntoPending(pendingKey, patch, generation)
  local current = redis.call('GET', pendingKey)
  local merged
  if current then
    merged = merge(cjson.decode(current), patch)
  else
    merged = merge({ models = {}, full = false }, patch)
    merged.gen = generation
  end
  redis.call('SET', pendingKey, cjson.encode(merged))
  return merged, current ~= false
end
`,
  endTake: `
--- @include "mergeIntoPending"
local function endTake(inFlightKey, take, pendingKey, patch, generation)
  local inFlight = redis.call('GET', inFlightKey)
  if not inFlight or cjson.decode(inFlight).take ~= take then return false end
  redis.call('DEL', inFlightKey)
  if patch then mergeIntoPending(pendingKey, patch, generation) end
  return true
end
`,
};

const intentScript = (source: string): string => includeLua(source, INTENT_FRAGMENTS);

/**
 * KEYS: pending, dirty, queued marker, [seen event]. ARGV: intent patch JSON, integration id, replay TTL seconds,
 * generation token for a new pending intent, key prefix (`<prefix>:`; the marker holds `<queue>:<job id>`).
 * Returns {isReplay, hasPending, generation, isQueued}: `isQueued` when the pending intent existed before and the
 * marker says a job was ensured for this generation and that job still exists unfinished.
 *
 * Redis Cluster: KEYS all start with the prefix, so they share its hash tag's slot. The job hash the marker names
 * cannot be declared in KEYS (it is known only inside the script), but it is built from ARGV[5], the same prefix,
 * so it is in that slot too and Redis lets the script read it.
 */
export const RECORD_INTENT_LUA = intentScript(`
--- @include "mergeIntoPending"
if KEYS[4] and not redis.call('SET', KEYS[4], '1', 'NX', 'EX', ARGV[3]) then
  return {1, redis.call('EXISTS', KEYS[1]), '', 0}
end
local merged, existed = mergeIntoPending(KEYS[1], cjson.decode(ARGV[1]), ARGV[4])
local isQueued = 0
local marker = existed and redis.call('GET', KEYS[3])
if marker then
  local sep = string.find(marker, '|', 1, true)
  if sep and string.sub(marker, 1, sep - 1) == tostring(merged.gen) then
    local jobKey = ARGV[5] .. string.sub(marker, sep + 1)
    if redis.call('EXISTS', jobKey) == 1 and redis.call('HEXISTS', jobKey, 'finishedOn') == 0 then isQueued = 1 end
  end
end
redis.call('SADD', KEYS[2], ARGV[2])
return {0, 1, tostring(merged.gen), isQueued}
`);

/** KEYS: pending, queued marker. ARGV: generation, `<queue>:<job id>`. Marks the generation's job as ensured, if still pending. */
export const MARK_QUEUED_LUA = `
local current = redis.call('GET', KEYS[1])
if not current or tostring(cjson.decode(current).gen) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[1] .. '|' .. ARGV[2])
return 1
`;

/**
 * KEYS: pending, in-flight, dirty, queued marker. ARGV: integration id, take id, the reader's data version. Moves
 * the pending intent into the in-flight one (merging) and stamps the result with the take id; returns its JSON, or
 * nil when there is neither. When either was written by a newer release (its \`v\` above the reader's), changes
 * nothing and returns {'newer', version}: the intent waits for a newer worker.
 */
export const TAKE_INTENT_LUA = intentScript(`
--- @include "merge"
local pending = redis.call('GET', KEYS[1])
local inFlight = redis.call('GET', KEYS[2])
local newest = 0
for _, json in ipairs({ pending or 'null', inFlight or 'null' }) do
  local decoded = cjson.decode(json)
  if type(decoded) == 'table' then newest = math.max(newest, tonumber(decoded.v) or 1) end
end
if newest > tonumber(ARGV[3]) then return { 'newer', tostring(newest) } end
redis.call('SREM', KEYS[3], ARGV[1])
if not pending and not inFlight then return nil end
local merged
if pending then
  redis.call('DEL', KEYS[4])
  merged = cjson.decode(pending)
  if inFlight then merged = merge(cjson.decode(inFlight), merged) end
  redis.call('DEL', KEYS[1])
else
  merged = cjson.decode(inFlight)
end
merged.take = ARGV[2]
local encoded = cjson.encode(merged)
redis.call('SET', KEYS[2], encoded)
return encoded
`);

/**
 * KEYS: in-flight, pending, dirty. ARGV: take id, remainder patch JSON ('' for none), integration id, generation
 * token for a new pending intent. When the take is still the latest one: deletes the in-flight intent and merges the
 * remainder (work the run hands on) into the pending intent, marking the integration dirty. Returns 1, else 0.
 */
export const COMPLETE_INTENT_LUA = intentScript(`
--- @include "endTake"
local remainder = ARGV[2] ~= '' and cjson.decode(ARGV[2]) or nil
if not endTake(KEYS[1], ARGV[1], KEYS[2], remainder, ARGV[4]) then return 0 end
if remainder then redis.call('SADD', KEYS[3], ARGV[3]) end
return 1
`);

/**
 * KEYS: in-flight, pending. ARGV: take id, work patch JSON, generation token for a new pending intent. When the
 * take is still the latest: deletes the in-flight intent and merges the work into the pending intent without
 * marking the integration dirty (no sweeper adds a job for it). Returns 1, else 0.
 */
export const PARK_INTENT_LUA = intentScript(`
--- @include "endTake"
return endTake(KEYS[1], ARGV[1], KEYS[2], cjson.decode(ARGV[2]), ARGV[3]) and 1 or 0
`);

const shaOf = new Map<string, string>();

/** Runs a Lua script by its SHA, loading it (EVAL) when Redis does not know it yet (e.g. after a restart). */
export async function runScript(
  redis: RedisConnection,
  lua: string,
  keys: string[],
  args: (string | number)[],
): Promise<unknown> {
  let sha = shaOf.get(lua);
  if (!sha) {
    sha = createHash('sha1').update(lua).digest('hex');
    shaOf.set(lua, sha);
  }
  try {
    return await redis.evalsha(sha, keys.length, ...keys, ...args);
  } catch (err) {
    if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
    return redis.eval(lua, keys.length, ...keys, ...args);
  }
}
