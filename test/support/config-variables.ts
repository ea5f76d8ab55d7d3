// Test support (not production code): the environment variables the processes validate.
import * as config from '@kombo-sync/config';

/** Every variable of packages/config's environment schemas (each exported zod object's keys). */
export const CONFIG_VARIABLES: ReadonlySet<string> = new Set(
  Object.values(config).flatMap((value) =>
    value &&
    typeof value === 'object' &&
    'shape' in value &&
    typeof value.shape === 'object' &&
    value.shape !== null
      ? Object.keys(value.shape)
      : [],
  ),
);
