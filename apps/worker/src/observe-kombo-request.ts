import type { KomboRequestEvent } from '@kombo-sync/kombo';
import type { Metrics } from '@kombo-sync/metrics';

/**
 * The Kombo client's `onRequest` hook for one Kombo environment (its name as the `environment` label, `default`
 * for KOMBO_API_KEY's): counts each HTTP attempt by endpoint, outcome and code with its duration, and the two
 * signals the alert rules watch, 429s by scope and a rejected API key.
 */
export function observeKomboRequest(
  metrics: Pick<Metrics, 'komboRequests' | 'komboRequestSeconds' | 'komboRateLimited' | 'komboKeyRejections'>,
  environment: string,
): (event: KomboRequestEvent) => void {
  return (event) => {
    const endpoint = event.model ?? event.path;
    const outcome = event.errorCode ? 'error' : 'ok';
    metrics.komboRequests.inc({
      environment,
      endpoint,
      outcome,
      code: event.errorCode ?? String(event.status),
    });
    metrics.komboRequestSeconds.observe({ environment, endpoint }, event.durationMs / 1000);
    if (event.rateLimitScope) metrics.komboRateLimited.inc({ environment, scope: event.rateLimitScope });
    if (event.isKeyRejected) metrics.komboKeyRejections.inc({ environment });
  };
}
