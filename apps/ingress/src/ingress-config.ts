import {
  buildConfig,
  ingressSettings,
  komboEnvironmentSettings,
  loggingSettings,
  redisSettings,
  tracingSettings,
  webhookSettings,
  type Config,
  type ConfigOverrides,
  type SettingsSpec,
} from '@kombo-sync/config';

/**
 * Everything an ingress process is tuned by: the concerns it reads from the environment (packages/config, one entry
 * per variable with its default). `main.ts` loads it with `loadConfig`, tests build it with {@link ingressConfig}.
 */
export const ingressConfigSpec = {
  ...redisSettings,
  ...webhookSettings,
  ...komboEnvironmentSettings,
  ...ingressSettings,
  ...loggingSettings,
  ...tracingSettings,
} satisfies SettingsSpec;

/** An ingress process's settings, every default applied. */
export type IngressConfig = Config<typeof ingressConfigSpec>;

/** What {@link ingressConfig} takes: the webhook secrets, and any setting to override. */
export type IngressConfigOverrides = ConfigOverrides<typeof ingressConfigSpec>;

/** An ingress config from typed values (tests, tools): {@link ingressConfigSpec}'s defaults, then `overrides`. */
export function ingressConfig(overrides: IngressConfigOverrides): IngressConfig {
  return buildConfig(ingressConfigSpec, overrides);
}
