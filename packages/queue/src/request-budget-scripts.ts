/*
 * The fleet's Kombo request budget, in Redis: a token bucket whose rate adapts (AIMD), with reservations, and at
 * most one reservation waiting per integration. Time is Redis's (TIME), never a worker's clock. Numbers cross the
 * Lua boundary as strings (Redis truncates Lua numbers to integers).
 */

/** Lua prelude: `now` (Redis ms), the arguments, the stored state and the effective `rate` (see `effectiveRate`). */
const RATE_LUA = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + tonumber(time[2]) / 1000
local maxRate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local minRate = tonumber(ARGV[3])
local recovery = tonumber(ARGV[4])
local ttlMs = tonumber(ARGV[5])
local stored = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'rate0', 'at0')
local tokens = tonumber(stored[1]) or burst
local at = tonumber(stored[2]) or now
local rate0 = tonumber(stored[3])
local at0 = tonumber(stored[4])
local rate = maxRate
if rate0 and at0 then rate = math.min(maxRate, rate0 + recovery * math.max(0, now - at0) / 1000) end
local function fmt(x) return string.format('%.3f', x) end
-- Refill since the last call at the current rate; tokens below zero are slots already promised (debt).
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
`;

/**
 * KEYS: state, waiting key of the caller's integration. ARGV: max rate, burst, min rate, recovery per s, state TTL ms.
 * Returns {isGranted, waitMs, rate, slotMs}. Granted: the request may go in `waitMs` (at Redis time `slotMs`).
 * Not granted (this integration already has a request waiting for its slot): ask again in `waitMs`.
 */
export const ACQUIRE_LUA = `${RATE_LUA}
local waiting = tonumber(redis.call('GET', KEYS[2]) or '')
if waiting and waiting > now then return {0, fmt(waiting - now), fmt(rate), fmt(waiting)} end
tokens = tokens - 1
local slot = now
if tokens < 0 then slot = now - tokens * 1000 / rate end
redis.call('HSET', KEYS[1], 'tokens', fmt(tokens), 'at', fmt(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(ttlMs + slot - now))
if slot > now then redis.call('SET', KEYS[2], fmt(slot), 'PX', math.ceil(slot - now) + 1) end
return {1, fmt(slot - now), fmt(rate), fmt(slot)}
`;

/**
 * KEYS: state. ARGV: max rate, burst, min rate, recovery per s, state TTL ms, permit's slot (Redis ms).
 * A key-wide 429: halves the effective rate (not below the min) and drops saved-up burst, unless the request was
 * sent before the last decrease (that 429 was already answered). Returns {isDecreased, rate}.
 */
export const RATE_LIMITED_LUA = `${RATE_LUA}
local sentAt = tonumber(ARGV[6])
if at0 and sentAt < at0 then return {0, fmt(rate)} end
local decreased = math.max(minRate, rate / 2)
redis.call('HSET', KEYS[1], 'tokens', fmt(math.min(tokens, 0)), 'at', fmt(now), 'rate0', fmt(decreased), 'at0', fmt(now))
redis.call('PEXPIRE', KEYS[1], ttlMs)
return {1, fmt(decreased)}
`;

/** KEYS: state. ARGV: as ACQUIRE_LUA. Returns {rate, nowMs}: the effective rate now, without taking anything. */
export const RATE_LUA_READ = `${RATE_LUA}
return {fmt(rate), fmt(now)}
`;
