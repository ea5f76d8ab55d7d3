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
