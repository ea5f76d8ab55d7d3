import { RequestError } from 'got';
import { KomboError, KomboNetworkError } from './errors.js';

const NETWORK_CODES: Record<string, string> = {
  ETIMEDOUT: 'NETWORK.TIMEOUT',
  ECONNREFUSED: 'NETWORK.CONNECTION_REFUSED',
  ECONNRESET: 'NETWORK.CONNECTION_RESET',
  EPIPE: 'NETWORK.CONNECTION_RESET',
  ENOTFOUND: 'NETWORK.DNS_FAILURE',
  EAI_AGAIN: 'NETWORK.DNS_FAILURE',
  ERR_READING_RESPONSE_STREAM: 'NETWORK.RESPONSE_INTERRUPTED',
  ERR_STREAM_PREMATURE_CLOSE: 'NETWORK.RESPONSE_INTERRUPTED',
};

/** Replaces every occurrence of `secret` in `text`. */
export function scrub(text: string, secret: string): string {
  return secret ? text.split(secret).join('[REDACTED]') : text;
}

/**
 * A stand-in for an error from got or Node: same name, code and message (scrubbed), but none of got's request
 * options, so logging it can never print the Authorization header.
 */
export function sanitizedCause(error: unknown, secret: string): Error {
  if (!(error instanceof Error)) return new Error(scrub(String(error), secret));
  const cause = new Error(scrub(error.message, secret));
  cause.name = error.name;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') Object.assign(cause, { code });
  return cause;
}

/**
 * Turns whatever a request attempt threw into a KomboError: our own errors pass through (their message scrubbed
 * once more), got's transport errors become KomboNetworkError, an abort through the caller's signal becomes a
 * non-retryable `CLIENT.ABORTED`, anything else `CLIENT.UNEXPECTED`.
 */
export function toKomboError(
  error: unknown,
  secret: string,
  where: string,
  signal?: AbortSignal,
): KomboError {
  if (error instanceof KomboError) {
    if (secret && error.message.includes(secret)) error.message = scrub(error.message, secret);
    return error;
  }
  const cause = sanitizedCause(error, secret);
  if (signal?.aborted || (error instanceof RequestError && error.code === 'ERR_ABORTED')) {
    return new KomboError(`Kombo ${where}: request aborted`, {
      code: 'CLIENT.ABORTED',
      isRetryable: false,
      cause,
    });
  }
  if (error instanceof RequestError) {
    const code = NETWORK_CODES[error.code] ?? 'NETWORK.ERROR';
    return new KomboNetworkError(`Kombo ${where}: ${code}: ${cause.message}`, {
      code,
      isRetryable: true,
      cause,
    });
  }
  return new KomboError(`Kombo ${where}: unexpected error: ${cause.message}`, {
    code: 'CLIENT.UNEXPECTED',
    isRetryable: false,
    cause,
  });
}
