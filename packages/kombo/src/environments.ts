import { KomboError } from './errors.js';
import type { KomboClient } from './client.js';
import { splitIntegrationKey } from '@kombo-sync/config';

export {
  ENVIRONMENT_NAME_PATTERN,
  ENVIRONMENT_SEPARATOR,
  environmentOf,
  integrationKey,
  splitIntegrationKey,
} from '@kombo-sync/config';

/** Thrown for a key of an environment the process is not configured with (KOMBO_ENVIRONMENTS lost it). */
export class KomboUnknownEnvironmentError extends KomboError {}

/**
 * One {@link KomboClient} over several environments: each call that names an integration goes to the client of the
 * key's environment with the bare Kombo id (so each environment's own URL, key and request budget apply); calls
 * without one (`checkApiKey`, `komboTime`) go to the default environment's.
 */
export function createEnvironmentClient(
  defaultClient: KomboClient,
  named: ReadonlyMap<string, KomboClient>,
): KomboClient {
  if (named.size === 0) return defaultClient;
  const route = (key: string): { client: KomboClient; komboId: string } => {
    const { environment, komboId } = splitIntegrationKey(key);
    if (environment === undefined) return { client: defaultClient, komboId };
    const client = named.get(environment);
    if (!client) {
      throw new KomboUnknownEnvironmentError(
        `integration ${key} belongs to environment ${environment}, which KOMBO_ENVIRONMENTS does not list`,
        { code: 'CLIENT.UNKNOWN_ENVIRONMENT', isRetryable: false },
      );
    }
    return { client, komboId };
  };
  return {
    // Each call fails the way the client's own do (a rejected promise, an iterator that throws), never synchronously.
    async *pages(model, options) {
      const { client, komboId } = route(options.integrationId);
      yield* client.pages(model, { ...options, integrationId: komboId });
    },
    async getIntegration(key) {
      const { client, komboId } = route(key);
      return client.getIntegration(komboId);
    },
    async fieldDefinitions(kind, key, options) {
      const { client, komboId } = route(key);
      return client.fieldDefinitions(kind, komboId, options);
    },
    checkApiKey: () => defaultClient.checkApiKey(),
    komboTime: () => defaultClient.komboTime(),
    close() {
      defaultClient.close();
      for (const client of named.values()) client.close();
    },
  };
}
