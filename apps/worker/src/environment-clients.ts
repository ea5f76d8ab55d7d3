import { environmentVariable, type KomboEnvironmentApi } from '@kombo-sync/config';
import { createKomboClient, type KomboClient, type KomboClientOptions } from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';
import type { Metrics } from '@kombo-sync/metrics';
import type { RedisConnection } from '@kombo-sync/queue';
import { checkKomboKey, type KomboKeyCheck } from './check-kombo-key.js';
import { createKomboBudget } from './create-kombo-budget.js';
import { observeKomboRequest } from './observe-kombo-request.js';

export interface EnvironmentClientsDeps {
  redis: RedisConnection;
  prefix: string;
  logger: Logger;
  /** The client options every environment shares (timeouts, retries). */
  shared: Omit<KomboClientOptions, 'baseUrl' | 'apiKey' | 'budget' | 'onRequest'>;
  /** Each environment's requests and budget are counted here, labelled with its name. Default: not counted. */
  metrics?: Metrics;
  /** Called with each wait an environment's budget imposes (besides the metrics). */
  onBudgetWait?: (environment: string, waitMs: number) => void;
}

/**
 * One Kombo client per named environment, each with its own URL, key and fleet-wide request budget (the budget's
 * Redis keys are named by a hash of the environment's key, so each binds on its own), its requests and budget
 * counted under `environment="<name>"`.
 */
export function createEnvironmentClients(
  environments: readonly KomboEnvironmentApi[],
  deps: EnvironmentClientsDeps,
): Map<string, KomboClient> {
  const clients = new Map<string, KomboClient>();
  for (const environment of environments) {
    const budget = createKomboBudget({
      environment: environment.name,
      redis: deps.redis,
      prefix: deps.prefix,
      apiKey: environment.apiKey,
      maxRequestsPerSecond: environment.maxRequestsPerSecond,
      logger: deps.logger.child({ environment: environment.name }),
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      ...(deps.onBudgetWait
        ? { onWait: (waitMs: number) => deps.onBudgetWait?.(environment.name, waitMs) }
        : {}),
    });
    clients.set(
      environment.name,
      createKomboClient({
        ...deps.shared,
        baseUrl: environment.apiUrl,
        apiKey: environment.apiKey,
        ...(budget ? { budget } : {}),
        ...(deps.metrics ? { onRequest: observeKomboRequest(deps.metrics, environment.name) } : {}),
      }),
    );
  }
  return clients;
}

/** Checks each named environment's key at start (see {@link checkKomboKey}); the first rejected one is returned. */
export async function checkEnvironmentKeys(
  environments: readonly KomboEnvironmentApi[],
  clients: ReadonlyMap<string, KomboClient>,
  logger: Logger,
): Promise<KomboKeyCheck> {
  for (const environment of environments) {
    const client = clients.get(environment.name);
    if (!client) continue;
    const check = await checkKomboKey(
      client,
      environment.apiUrl,
      logger.child({ environment: environment.name }),
      {
        apiKey: environmentVariable(environment.name, 'API_KEY'),
        apiUrl: environmentVariable(environment.name, 'API_URL'),
      },
    );
    if (!check.isAccepted) return check;
  }
  return { isAccepted: true, isVerified: true };
}
