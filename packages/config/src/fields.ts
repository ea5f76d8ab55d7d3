import { ALL_MODEL_NAMES, isModelName, type ModelName } from '@kombo-sync/catalog';
import { z } from 'zod';
import { isExistingModule } from './module-specifier.js';
import { parseRedisUrl, RedisUrlError } from './redis-url.js';

/** A whole number from the environment, e.g. `KOMBO_TIMEOUT_MS=30000`. */
export const intVar = (defaultValue: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(defaultValue);

/** Node's longest timer, ms (2^31 - 1, about 24.8 days): a longer `setTimeout` fires at once, with a warning. */
export const MAX_TIMER_MS = 2_147_483_647;

/** A duration some process waits with a timer (a timeout, an interval), ms: a whole number up to {@link MAX_TIMER_MS}. */
export const timerMsVar = (defaultValue: number, { min = 0 } = {}) =>
  intVar(defaultValue, { min, max: MAX_TIMER_MS });

/**
 * A number > 0 (decimals allowed), e.g. `KOMBO_MAX_REQUESTS_PER_SECOND=2.5`, at least `min` when given; no default.
 */
export const positiveNumberVar = ({
  min,
  max = Number.MAX_SAFE_INTEGER,
}: { min?: number; max?: number } = {}) => {
  const number = z.coerce.number({ error: 'must be a number' });
  return (
    min === undefined ? number.positive('must be greater than 0') : number.min(min, `must be at least ${min}`)
  ).max(max, `must be at most ${max}`);
};

/** `true`/`false`/`1`/`0`/`yes`/`no`. */
export const boolVar = (defaultValue: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
    .transform((value) => value === 'true' || value === '1' || value === 'yes')
    .prefault(defaultValue ? 'true' : 'false');

/** A URL whose scheme is one of `protocols`. */
export const urlVar = (protocols: readonly string[], defaultValue?: string) => {
  const schema = z.string().refine(
    (value) => {
      try {
        return protocols.includes(new URL(value).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}` },
  );
  return defaultValue === undefined ? schema : schema.prefault(defaultValue);
};

/** REDIS_URL: one server or a Redis Cluster's seed nodes (see {@link parseRedisUrl}); the value is never echoed. */
export const redisUrlVar = (defaultValue: string) =>
  z
    .string()
    .superRefine((value, ctx) => {
      try {
        parseRedisUrl(value);
      } catch (err) {
        if (!(err instanceof RedisUrlError)) throw err;
        ctx.addIssue({ code: 'custom', message: err.message });
      }
    })
    .prefault(defaultValue);

/** A comma-separated list, trimmed, empty entries dropped. */
export const listVar = () =>
  z.string().transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );

/**
 * A comma-separated list of catalog model names (packages/catalog). An unknown name is reported by its position,
 * with the valid names, never by its value.
 */
export const modelListVar = () =>
  listVar()
    .superRefine((names, ctx) => {
      const positions = names.flatMap((name, index) => (isModelName(name) ? [] : [index + 1]));
      if (positions.length === 0) return;
      ctx.addIssue({
        code: 'custom',
        message:
          `entr${positions.length === 1 ? 'y' : 'ies'} ${positions.join(', ')} of ${names.length} ` +
          `${positions.length === 1 ? 'is not a catalog model' : 'are not catalog models'}; ` +
          `valid names: ${ALL_MODEL_NAMES.join(', ')}`,
      });
    })
    .transform((names): readonly ModelName[] => names as ModelName[]);

/**
 * A module to import: a path (starting with `.` or absolute, resolved against the working directory) must name an
 * existing file; a package name is checked when it is imported.
 */
export const moduleVar = () =>
  z
    .string()
    .refine(
      (specifier) => isExistingModule(specifier),
      'must name an existing module file (a path starting with . resolves against the working directory)',
    );

/**
 * OTEL_EXPORTER_OTLP_HEADERS: `key=value` pairs, comma-separated, values URL-encoded (OTel's format), parsed into an
 * object. The value may hold a credential: problems name the position, never the text.
 */
export const otlpHeadersVar = () =>
  z.string().transform((value, ctx) => {
    const headers: Record<string, string> = {};
    const pairs = value.split(',').filter((pair) => pair.trim() !== '');
    for (const [index, pair] of pairs.entries()) {
      const at = pair.indexOf('=');
      const key = at > 0 ? pair.slice(0, at).trim() : '';
      let decoded: string | undefined;
      try {
        decoded = at > 0 ? decodeURIComponent(pair.slice(at + 1).trim()) : undefined;
      } catch {
        decoded = undefined;
      }
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key) || decoded === undefined) {
        ctx.addIssue({ code: 'custom', message: `entry ${index + 1} is not key=value (URL-encoded value)` });
        return z.NEVER;
      }
      headers[key] = decoded;
    }
    return headers;
  });
