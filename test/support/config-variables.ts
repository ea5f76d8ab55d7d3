// Test support (not production code): the environment variables the processes validate.
import * as config from '@kombo-sync/config';

/** Every variable of packages/config's settings (each exported `*Settings` spec's `envVar` entries). */
export const CONFIG_VARIABLES: ReadonlySet<string> = new Set(
  Object.entries(config)
    .filter(([name]) => name.endsWith('Settings'))
    .flatMap(([, spec]) => Object.values(spec as config.SettingsSpec))
    .flatMap((setting) => (setting.variable === undefined ? [] : [setting.variable])),
);
