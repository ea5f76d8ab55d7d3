import { z } from 'zod';
import { listVar, positiveNumberVar, urlVar } from './fields.js';
import { MAX_REQUESTS_PER_SECOND, MIN_REQUESTS_PER_SECOND } from './schemas.js';
import { envVar, type SettingsSpec } from './settings.js';

/** An environment name: lower-case letter, then up to 15 lower-case letters or digits (`us`, `dev`, `eu2`). */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z][a-z0-9]{0,15}$/;

/**
 * Separates a named environment from the Kombo id in the fleet's integration key: `us/personio:8d1h…`. Kombo's
 * integration ids are `<tool>:<id>` (letters, digits, `_`), so they never contain it.
 */
export const ENVIRONMENT_SEPARATOR = '/';

/**
 * The fleet's key of a Kombo integration: the Kombo id itself in the default environment, `<environment>/<Kombo id>`
 * in a named one. Every table, Redis key and metric uses the key, so two environments' integrations with the same
 * Kombo id stay apart without a composite key; Kombo only ever sees the bare id.
 */
export function integrationKey(environment: string | undefined, komboId: string): string {
  return environment === undefined ? komboId : `${environment}${ENVIRONMENT_SEPARATOR}${komboId}`;
}

/** The environment (undefined: the default one) and Kombo id of an integration key. */
export function splitIntegrationKey(key: string): { environment?: string; komboId: string } {
  const at = key.indexOf(ENVIRONMENT_SEPARATOR);
  return at < 0 ? { komboId: key } : { environment: key.slice(0, at), komboId: key.slice(at + 1) };
}

/**
 * The default environment's name (KOMBO_API_KEY…) wherever environments are shown or labelled: status, the
 * dashboard, the `environment` label of metrics. KOMBO_ENVIRONMENTS may not use it.
 */
export const DEFAULT_ENVIRONMENT = 'default';

/**
 * Whether `name` can name an environment where environments are shown, filtered or labelled:
 * {@link DEFAULT_ENVIRONMENT}, or a name KOMBO_ENVIRONMENTS may list.
 */
export function isEnvironmentName(name: string): boolean {
  return name === DEFAULT_ENVIRONMENT || ENVIRONMENT_NAME_PATTERN.test(name);
}

/** The environment an integration key belongs to, as shown to people: its name, or {@link DEFAULT_ENVIRONMENT}. */
export function environmentOf(key: string): string {
  return splitIntegrationKey(key).environment ?? DEFAULT_ENVIRONMENT;
}

/**
 * KOMBO_ENVIRONMENTS: the named Kombo environments besides the default one (KOMBO_API_KEY…), comma-separated.
 * Unset: none, the fleet works with the default environment only, as before.
 */
export const environmentNamesVar = () =>
  z
    .string()
    .optional()
    .transform((value) => listVar().parse(value ?? ''))
    .superRefine((names, ctx) => {
      const bad = names.flatMap((name, index) => (ENVIRONMENT_NAME_PATTERN.test(name) ? [] : [index + 1]));
      if (bad.length > 0)
        ctx.addIssue({
          code: 'custom',
          message: `entry ${bad.join(', ')}: a name is a lower-case letter then up to 15 lower-case letters or digits`,
        });
      if (new Set(names).size !== names.length)
        ctx.addIssue({ code: 'custom', message: 'lists a name twice' });
      if (names.includes(DEFAULT_ENVIRONMENT))
        ctx.addIssue({
          code: 'custom',
          message: `"${DEFAULT_ENVIRONMENT}" is the name of the environment of KOMBO_API_KEY; name the others differently`,
        });
    });

/** Named Kombo environments (workers, ingress, CLI, dashboard: whoever reads integration keys). */
export const komboEnvironmentSettings = {
  komboEnvironments: envVar('KOMBO_ENVIRONMENTS', environmentNamesVar()),
} satisfies SettingsSpec;

/** The variable of one environment's setting: `KOMBO_<NAME>_<SUFFIX>`, e.g. `KOMBO_US_API_KEY`. */
export const environmentVariable = (name: string, suffix: string): string =>
  `KOMBO_${name.toUpperCase()}_${suffix}`;

/** One named environment's API: its URL, key and request budget (workers, CLI verify). */
export interface KomboEnvironmentApi {
  name: string;
  apiUrl: string;
  apiKey: string;
  /** Its own fleet-wide budget; unset: none. */
  maxRequestsPerSecond?: number;
}

/** One named environment's webhook secrets (ingress). */
export interface KomboEnvironmentWebhooks {
  name: string;
  webhookSecrets: string[];
}

/**
 * The settings of the named environments' APIs, to load with `loadConfig`/`loadConfigOrExit` (each bad variable is
 * named): `KOMBO_<NAME>_API_KEY` (required), `…_API_URL` (default Kombo's EU URL), `…_MAX_REQUESTS_PER_SECOND`.
 */
export function environmentApiSettings(names: readonly string[]): SettingsSpec {
  const spec: Record<string, ReturnType<typeof envVar>> = {};
  for (const name of names) {
    spec[`${name}.apiUrl`] = envVar(
      environmentVariable(name, 'API_URL'),
      urlVar(['http', 'https'], 'https://api.kombo.dev/v1'),
    );
    spec[`${name}.apiKey`] = envVar(
      environmentVariable(name, 'API_KEY'),
      z.string({ error: `is required (the Kombo API key of environment ${name})` }).min(1, 'is required'),
    );
    spec[`${name}.maxRequestsPerSecond`] = envVar(
      environmentVariable(name, 'MAX_REQUESTS_PER_SECOND'),
      positiveNumberVar({ min: MIN_REQUESTS_PER_SECOND, max: MAX_REQUESTS_PER_SECOND }).optional(),
    );
  }
  return spec;
}

/** The settings of the named environments' webhook secrets: `KOMBO_<NAME>_WEBHOOK_SECRETS` (required). */
export function environmentWebhookSettings(names: readonly string[]): SettingsSpec {
  const spec: Record<string, ReturnType<typeof envVar>> = {};
  for (const name of names) {
    spec[`${name}.webhookSecrets`] = envVar(
      environmentVariable(name, 'WEBHOOK_SECRETS'),
      listVar().refine((list) => list.length > 0, 'needs at least one secret'),
    );
  }
  return spec;
}

/** The loaded {@link environmentApiSettings}, per environment. */
export function environmentApis(
  names: readonly string[],
  loaded: Readonly<Record<string, unknown>>,
): KomboEnvironmentApi[] {
  return names.map((name) => {
    const rate = loaded[`${name}.maxRequestsPerSecond`] as number | undefined;
    return {
      name,
      apiUrl: loaded[`${name}.apiUrl`] as string,
      apiKey: loaded[`${name}.apiKey`] as string,
      ...(rate === undefined ? {} : { maxRequestsPerSecond: rate }),
    };
  });
}

/** The loaded {@link environmentWebhookSettings}, per environment. */
export function environmentWebhooks(
  names: readonly string[],
  loaded: Readonly<Record<string, unknown>>,
): KomboEnvironmentWebhooks[] {
  return names.map((name) => ({ name, webhookSecrets: loaded[`${name}.webhookSecrets`] as string[] }));
}
