import type { KomboRequestBudget } from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';
import type { Metrics } from '@kombo-sync/metrics';
import { createRedisRequestBudget, type RedisConnection } from '@kombo-sync/queue';

export interface KomboBudgetDeps {
  /** The Kombo environment's name, the metrics' `environment` label (`default` for KOMBO_API_KEY's). */
  environment: string;
  /** The worker's Redis connection; the budget's keys go under `prefix`. */
  redis: RedisConnection;
  prefix: string;
  /** Only its hash names the budget's keys. */
  apiKey: string;
  /** KOMBO_MAX_REQUESTS_PER_SECOND; undefined: no budget. */
  maxRequestsPerSecond: number | undefined;
  /** KOMBO_REQUEST_BURST; default the rate rounded up. */
  burst?: number;
  logger: Logger;
  metrics?: Metrics;
  /** Called with each wait the budget imposes (besides the metrics). */
  onWait?: (waitMs: number) => void;
}

/**
 * The fleet-wide request budget one Kombo environment's client waits on (see README, "Request budget"), reporting
 * its waits, effective rate and decreases as metrics labelled with the environment; undefined when no rate is
 * configured (no Redis round trip then).
 */
export function createKomboBudget(deps: KomboBudgetDeps): KomboRequestBudget | undefined {
  const { maxRequestsPerSecond, metrics, logger } = deps;
  if (maxRequestsPerSecond === undefined) return undefined;
  const labels = { environment: deps.environment };
  metrics?.komboBudgetRate.set(labels, maxRequestsPerSecond);
  return createRedisRequestBudget(deps.redis, {
    prefix: deps.prefix,
    apiKey: deps.apiKey,
    maxRequestsPerSecond,
    ...(deps.burst === undefined ? {} : { burst: deps.burst }),
    onWait: (waitMs) => {
      metrics?.komboBudgetWaitSeconds.observe(labels, waitMs / 1000);
      deps.onWait?.(waitMs);
    },
    onRate: (rate) => metrics?.komboBudgetRate.set(labels, rate),
    onDecrease: (rate) => {
      metrics?.komboBudgetDecreases.inc(labels);
      logger.warn({ ratePerSecond: rate }, 'key-wide 429: the request budget was halved for the fleet');
    },
  });
}
