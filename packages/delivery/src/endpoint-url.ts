/**
 * An endpoint URL as given by an operator, checked: http or https, a host, no fragment. Throws a RangeError with a
 * message fit for the operator (never echoing the URL, which may carry a token). Private targets are checked when
 * sending, after DNS resolution (sendWebhook), not here.
 */
export function parseEndpointUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RangeError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError('must be http or https');
  if (url.hostname === '') throw new RangeError('needs a host');
  if (url.hash !== '') throw new RangeError('may not have a #fragment');
  return url.toString();
}

/** The URL for display: credentials and the query (which may carry tokens) replaced by `…`. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    const auth = url.username || url.password ? '…@' : '';
    return `${url.protocol}//${auth}${url.host}${url.pathname}${url.search ? '?…' : ''}`;
  } catch {
    return '(invalid URL)';
  }
}

/** What the CLI and the dashboard show of an endpoint: the URL redacted, never a secret. */
export interface EndpointSummary {
  id: string;
  url: string;
  models: string[] | null;
  integrationIds: string[] | null;
  isEnabled: boolean;
  disabledReason: string | null;
  /** A rotation is in progress: webhooks carry a second signature with the previous secret. */
  isRotating: boolean;
  lastSuccessAt: Date | null;
  failingSince: Date | null;
}

/** {@link EndpointSummary} of an endpoint row (packages/db `WebhookEndpointRow`, or any row of that shape). */
export function summarizeEndpoint(
  row: Omit<EndpointSummary, 'isRotating'> & { previousSecret: string | null },
): EndpointSummary {
  return {
    id: row.id,
    url: redactUrl(row.url),
    models: row.models,
    integrationIds: row.integrationIds,
    isEnabled: row.isEnabled,
    disabledReason: row.disabledReason,
    isRotating: row.previousSecret !== null,
    lastSuccessAt: row.lastSuccessAt,
    failingSince: row.failingSince,
  };
}
