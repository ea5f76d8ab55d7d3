import { z } from 'zod';
import { crossVariableRules } from './schemas.js';
import type { Config, SettingsSpec } from './settings.js';

/** Thrown when the environment does not satisfy a schema; `problems` names every bad variable. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly { variable: string; message: string }[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Reads `spec`'s settings from `env`: each variable validated by its schema, its default applied when unset, and
 * returned under the setting's key (settings without a variable take their value). Every problem is collected and
 * reported at once in a {@link ConfigError} naming the variable; values never appear in messages, so a malformed
 * secret is not echoed. Empty strings count as unset, so `FOO=` falls back to the default. Rules over several
 * variables (`crossVariableRules`) apply when the spec holds all of their variables.
 */
export function loadConfig<S extends SettingsSpec>(spec: S, env: Env = process.env): Config<S> {
  const shape: Record<string, z.ZodType> = {};
  const keyOf = new Map<string, string>();
  const config: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(spec)) {
    if (setting.variable === undefined) {
      config[key] = setting.value;
    } else {
      shape[setting.variable] = setting.schema;
      keyOf.set(setting.variable, key);
    }
  }
  const values = parseEnv(z.object(shape), env);
  for (const [variable, value] of Object.entries(values)) {
    if (value !== undefined) config[keyOf.get(variable)!] = value;
  }
  return config as Config<S>;
}

/** `schema` (keyed by variable names) over `env`, with the cross-variable rules; throws a {@link ConfigError}. */
function parseEnv(schema: z.ZodObject, env: Env): Record<string, unknown> {
  const input: Env = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    input[key] = value === undefined || value.trim() === '' ? undefined : value;
  }
  const result = schema.safeParse(input);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? '(root)'),
        message: issue.message,
      }));
  for (const rule of crossVariableRules) {
    if (!rule.variables.every((variable) => variable in schema.shape)) continue;
    const values: Record<string, unknown> = {};
    const isEachValid = rule.variables.every((variable) => {
      const parsed = (schema.shape[variable] as z.ZodType).safeParse(input[variable]);
      values[variable] = parsed.data;
      return parsed.success;
    });
    const problem = isEachValid ? rule.check(values) : undefined;
    if (problem) problems.push(problem);
  }
  if (result.success && problems.length === 0) return result.data;
  throw new ConfigError(problems);
}

/**
 * Runs `loadConfig` for a process's main: on a {@link ConfigError} it prints the problems to stderr and exits 1,
 * so a misconfigured process refuses to start before it does anything.
 */
export function loadConfigOrExit<S extends SettingsSpec>(spec: S, env: Env = process.env): Config<S> {
  try {
    return loadConfig(spec, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
