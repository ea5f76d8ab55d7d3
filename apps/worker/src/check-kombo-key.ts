import { KomboAuthenticationError, type KomboClient } from '@kombo-sync/kombo';
import type { Logger } from '@kombo-sync/logger';

const EU_URL = 'https://api.kombo.dev/v1';
const US_URL = 'https://api.us.kombo.dev/v1';

/** The Kombo region a base URL points at: `EU`, `US`, or `other (<origin>)` (a sandbox, a proxy, a typo). */
export function komboRegionOf(baseUrl: string): string {
  let host: string;
  try {
    host = new URL(baseUrl).host;
  } catch {
    return 'other (not a URL)';
  }
  if (host === 'api.kombo.dev') return 'EU';
  if (host === 'api.us.kombo.dev') return 'US';
  return `other (${new URL(baseUrl).origin})`;
}

/** `isVerified`: Kombo answered the check (false: it could not be reached, and the key is taken on trust). */
export type KomboKeyCheck =
  { isAccepted: true; isVerified: boolean } | { isAccepted: false; message: string };

/**
 * `GET /check-api-key` at start: logs Kombo's environment and customer for the key. A key Kombo rejects (another
 * region's or environment's, revoked) would make every integration look gone, so the worker must not start on it:
 * the result then carries one message naming the URL's region. A check that fails otherwise (Kombo or the network
 * down) is logged and accepted: the jobs' own error handling waits such outages out.
 */
export async function checkKomboKey(
  kombo: KomboClient,
  baseUrl: string,
  log: Logger,
  /** The variables the message names: the default environment's, or a named one's (`KOMBO_US_API_KEY`…). */
  variables: { apiKey: string; apiUrl: string } = { apiKey: 'KOMBO_API_KEY', apiUrl: 'KOMBO_API_URL' },
): Promise<KomboKeyCheck> {
  const region = komboRegionOf(baseUrl);
  try {
    const info = await kombo.checkApiKey();
    log.info(
      { environmentId: info.environment_id, customerId: info.customer_id ?? null, region, baseUrl },
      'Kombo API key accepted',
    );
    return { isAccepted: true, isVerified: true };
  } catch (error) {
    if (error instanceof KomboAuthenticationError) {
      return {
        isAccepted: false,
        message:
          `Kombo rejected ${variables.apiKey} (${error.code}) at ${variables.apiUrl}=${baseUrl}, region ${region}. ` +
          `A key works only in its own region and environment: EU ${EU_URL}, US ${US_URL}. Not starting.`,
      };
    }
    log.warn({ err: error, region, baseUrl }, 'could not check the Kombo API key: starting anyway');
    return { isAccepted: true, isVerified: false };
  }
}
