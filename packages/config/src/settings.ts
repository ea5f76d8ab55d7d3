import type { z } from 'zod';

/** A setting read from one environment variable, validated (and defaulted) by `schema`. */
export interface EnvSetting<S extends z.ZodType = z.ZodType> {
  readonly variable: string;
  readonly schema: S;
}

/** A setting no environment variable sets: a default of the code that tests and tools may override. */
export interface InternalSetting<T = unknown> {
  readonly variable?: undefined;
  readonly value: T;
}

export type Setting = EnvSetting | InternalSetting;

/**
 * A process's settings, or one concern's: each key (camelCase, the name the code reads) with where its value comes
 * from. A process's spec spreads the concerns it uses (`{ ...databaseSettings, ...loggingSettings }`).
 */
export type SettingsSpec = Readonly<Record<string, Setting>>;

/** The setting `variable`, validated by `schema` (which states its default and range). */
export function envVar<S extends z.ZodType>(variable: string, schema: S): EnvSetting<S> {
  return { variable, schema };
}

/** A setting without a variable: `value` unless a test or tool overrides it. */
export function internal<T>(value: T): InternalSetting<T> {
  return { value };
}

type Simplify<T> = { [K in keyof T]: T[K] } & {};

type SettingValueOf<E> =
  E extends EnvSetting<infer S> ? z.output<S> : E extends InternalSetting<infer T> ? T : never;

/** Keys whose value may be absent (an optional variable left unset). */
type OptionalKeys<S extends SettingsSpec> = {
  [K in keyof S]: undefined extends SettingValueOf<S[K]> ? K : never;
}[keyof S];

/** Keys that have no default: a variable whose schema does not accept "unset". */
type RequiredKeys<S extends SettingsSpec> = {
  [K in keyof S]: S[K] extends EnvSetting<infer Z> ? (undefined extends z.input<Z> ? never : K) : never;
}[keyof S];

/** The settings a process runs with: every default applied, optional ones absent when unset. */
export type Config<S extends SettingsSpec> = Simplify<
  { readonly [K in Exclude<keyof S, OptionalKeys<S>>]: SettingValueOf<S[K]> } & {
    readonly [K in OptionalKeys<S>]?: Exclude<SettingValueOf<S[K]>, undefined>;
  }
>;

/**
 * What a caller of {@link buildConfig} gives: the settings without a default, any others it overrides (`undefined`
 * keeps the default).
 */
export type ConfigOverrides<S extends SettingsSpec> = Simplify<
  { readonly [K in RequiredKeys<S>]: Exclude<SettingValueOf<S[K]>, undefined> } & {
    readonly [K in Exclude<keyof S, RequiredKeys<S>>]?: Exclude<SettingValueOf<S[K]>, undefined> | undefined;
  }
>;

/** A setting's default: `hasDefault` false when its variable is required. */
function defaultOf(setting: Setting): { hasDefault: boolean; value: unknown } {
  if (setting.variable === undefined) return { hasDefault: true, value: setting.value };
  const parsed = setting.schema.safeParse(undefined);
  return { hasDefault: parsed.success, value: parsed.data };
}

/**
 * The defaults of every setting of `spec` that has one (an optional variable's is absent), keyed as the code reads
 * them: for packages whose options take these settings without loading the environment, so each default is stated
 * once, in its setting.
 */
export function defaultsOf<S extends SettingsSpec>(spec: S): Config<Omit<S, RequiredKeys<S>>> {
  const defaults: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(spec)) {
    const { hasDefault, value } = defaultOf(setting);
    if (hasDefault && value !== undefined) defaults[key] = value;
  }
  return defaults as Config<Omit<S, RequiredKeys<S>>>;
}

/**
 * A process's config from typed values, as tests and tools build it: every default of `spec` once, then
 * `overrides` over them (BullMQ's way with a Worker's options). The values are the code's, not the environment's, so
 * the variables' ranges are not applied (a test may want a 300 ms lease); a setting without a default must be given.
 * `loadConfig` builds the same shape from the environment.
 */
export function buildConfig<S extends SettingsSpec>(spec: S, overrides: ConfigOverrides<S>): Config<S> {
  const given = overrides as Record<string, unknown>;
  const unknownKeys = Object.keys(given).filter((key) => !(key in spec));
  if (unknownKeys.length > 0) throw new TypeError(`unknown settings: ${unknownKeys.join(', ')}`);
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(spec)) {
    const { hasDefault, value } = defaultOf(setting);
    const chosen = given[key] !== undefined ? given[key] : value;
    if (given[key] === undefined && !hasDefault) {
      throw new TypeError(`setting ${key} (${setting.variable ?? 'no variable'}) has no default: give it`);
    }
    if (chosen !== undefined) config[key] = chosen;
  }
  return config as Config<S>;
}
