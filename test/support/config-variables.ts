// Test support (not production code): the environment variables the processes validate.
import * as config from '@kombo-sync/config';

/** Every variable of packages/config's settings (each exported `*Settings` spec's `envVar` entries). */
export const CONFIG_VARIABLES: ReadonlySet<string> = new Set(
  Object.entries(config)
    .filter(([name]) => name.endsWith('Settings'))
    .flatMap(([, spec]) => Object.values(spec as config.SettingsSpec))
    .flatMap((setting) => (setting.variable === undefined ? [] : [setting.variable])),
);

/**
 * The variables of the named Kombo environments `names` (KOMBO_<NAME>_API_KEY, …_API_URL, …_MAX_REQUESTS_PER_SECOND,
 * …_WEBHOOK_SECRETS), as packages/config reads them once KOMBO_ENVIRONMENTS lists the names.
 */
export function environmentVariables(names: readonly string[]): Set<string> {
  return new Set(
    [
      ...Object.values(config.environmentApiSettings(names)),
      ...Object.values(config.environmentWebhookSettings(names)),
    ].flatMap((setting) => (setting.variable === undefined ? [] : [setting.variable])),
  );
}
