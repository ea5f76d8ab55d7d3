import {
  buildConfig,
  dashboardSettings,
  databaseSettings,
  loggingSettings,
  metricsSettings,
  redisSettings,
  runtimeSettings,
  statusSettings,
  type Config,
  type ConfigOverrides,
  type SettingsSpec,
} from '@kombo-sync/config';

/**
 * Everything a dashboard process is tuned by: the concerns it reads from the environment (packages/config, one entry
 * per variable with its default) and its own settings that no variable sets. `main.ts` loads it with `loadConfig`,
 * tests build it with {@link dashboardConfig}.
 */
export const dashboardConfigSpec = {
  ...dashboardSettings,
  ...databaseSettings,
  ...redisSettings,
  ...loggingSettings,
  ...runtimeSettings,
  ...metricsSettings,
  /** An integration is "lagging" when a model's last successful sync is older than this (STATUS_LAG_THRESHOLD_MS). */
  ...statusSettings,
} satisfies SettingsSpec;

/** A dashboard process's settings, every default applied. */
export type DashboardConfig = Config<typeof dashboardConfigSpec>;

export type DashboardConfigOverrides = ConfigOverrides<typeof dashboardConfigSpec>;

/** A dashboard config from typed values (tests, tools): {@link dashboardConfigSpec}'s defaults, then `overrides`. */
export function dashboardConfig(overrides: DashboardConfigOverrides = {}): DashboardConfig {
  return buildConfig(dashboardConfigSpec, overrides);
}
