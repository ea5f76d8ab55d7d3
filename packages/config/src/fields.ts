import { z } from 'zod';

/** A whole number from the environment, e.g. `KOMBO_TIMEOUT_MS=30000`. */
export const intVar = (defaultValue: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(defaultValue);

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

/** A comma-separated list, trimmed, empty entries dropped. */
export const listVar = () =>
  z.string().transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  );
