import {
  buildConfig,
  databaseSettings,
  internal,
  loggingSettings,
  redisSettings,
  type Config,
  type ConfigOverrides,
  type SettingsSpec,
} from '@kombo-sync/config';

/**
 * What every `kombo-sync` command is tuned by: the concerns it reads from the environment (packages/config, one
 * entry per variable with its default) and its own settings that no variable sets. `main.ts` loads it with
 * `loadConfig` (the Kombo and storage settings only when a command needs them), tests build it with
 * {@link cliConfig}.
 */
export const cliConfigSpec = {
  ...loggingSettings,
  ...databaseSettings,
  ...redisSettings,
  /** How long a command waits for Postgres or Redis to answer before reporting it unreachable, ms. */
  connectTimeoutMs: internal(3_000),
  /** Most Postgres connections a command opens, whatever DATABASE_POOL_SIZE says: a command needs few. */
  maxDatabasePoolSize: internal(4),
} satisfies SettingsSpec;

/** The settings of one `kombo-sync` command, every default applied. */
export type CliConfig = Config<typeof cliConfigSpec>;

/** A CLI config from typed values (tests, tools): {@link cliConfigSpec}'s defaults, then `overrides`. */
export function cliConfig(overrides: ConfigOverrides<typeof cliConfigSpec> = {}): CliConfig {
  return buildConfig(cliConfigSpec, overrides);
}
