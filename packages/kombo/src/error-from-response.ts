import {
  KomboAuthenticationError,
  KomboError,
  KomboIntegrationInactiveError,
  KomboIntegrationNotFoundError,
  KomboModelUnavailableError,
  KomboRateLimitError,
  KomboServerError,
  KomboSetupPendingError,
  type KomboErrorOptions,
} from './errors.js';

/** The parts of Kombo's error envelope `{ status: 'error', error: { code, title, message, log_url } }` we use. */
export interface KomboErrorBody {
  code?: string;
  title?: string;
  message?: string;
  logUrl?: string;
}

/** Reads Kombo's error envelope leniently: any field may be missing or null. */
export function readErrorBody(body: unknown): KomboErrorBody {
  if (typeof body !== 'object' || body === null) return {};
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return {};
  const field = (name: string): string | undefined => {
    const value = (error as Record<string, unknown>)[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const result: KomboErrorBody = {};
  const code = field('code');
  const title = field('title');
  const message = field('message');
  const logUrl = field('log_url');
  if (code) result.code = code;
  if (title) result.title = title;
  if (message) result.message = message;
  if (logUrl) result.logUrl = logUrl;
  return result;
}

export interface ErrorResponse {
  status: number;
  body: unknown;
  /** From `Retry-After` / `ratelimit-reset`, already parsed. */
  retryAfterMs?: number;
  model?: string;
  /** Request path, for the message (never the full URL with the query, never headers). */
  path: string;
}

const INACTIVE_CODES = new Set([
  'INTEGRATION.INACTIVE',
  'INTEGRATION.AUTHENTICATION_INVALID',
  'INTEGRATION.PERMISSION_MISSING',
]);
const SETUP_CODES = new Set([
  'INTEGRATION.SETUP_SYNC_PENDING',
  'INTEGRATION.SETUP_INCOMPLETE',
  'INTEGRATION.QA_FAILED',
]);
const MODEL_CODES = new Set(['INTEGRATION.MODEL_NOT_AVAILABLE', 'INTEGRATION.MODEL_DISABLED']);
const INTEGRATION_RATE_CODES = new Set(['REMOTE.RATE_LIMIT_EXCEEDED', 'PLATFORM.CONCURRENCY_LIMIT_EXCEEDED']);
/** Kombo codes meaning a transient failure on Kombo's or the tool's side, whatever the status. */
const TRANSIENT_CODES = new Set([
  'PLATFORM.UNKNOWN_ERROR',
  'PLATFORM.TASK_TIMED_OUT',
  'REMOTE.SERVICE_UNAVAILABLE',
]);

/**
 * Maps a non-2xx response to the client's error classes. Branches on Kombo's `error.code` first (Kombo may change
 * messages and statuses, never codes), then on the HTTP status for responses without a known code.
 */
export function errorFromResponse(response: ErrorResponse): KomboError {
  const { status, retryAfterMs, model, path } = response;
  const body = readErrorBody(response.body);
  const detail = body.message ?? body.title ?? `HTTP ${status}`;
  const where = model ? `${model} (${path})` : path;
  const base = (code: string, isRetryable: boolean): KomboErrorOptions => {
    const options: KomboErrorOptions = { code, status, isRetryable };
    if (retryAfterMs !== undefined) options.retryAfterMs = retryAfterMs;
    if (body.logUrl) options.logUrl = body.logUrl;
    return options;
  };
  const message = (code: string): string => `Kombo ${where}: ${code}: ${detail}`;
  const code = body.code;

  if (code === 'PLATFORM.AUTHENTICATION_INVALID' || code === 'PLATFORM.IP_NOT_WHITELISTED') {
    return new KomboAuthenticationError(message(code), base(code, false));
  }
  if (code === 'PLATFORM.INTEGRATION_NOT_FOUND') {
    return new KomboIntegrationNotFoundError(message(code), base(code, false));
  }
  if (code && INACTIVE_CODES.has(code))
    return new KomboIntegrationInactiveError(message(code), base(code, false));
  if (code && SETUP_CODES.has(code)) {
    return new KomboSetupPendingError(message(code), base(code, code === 'INTEGRATION.SETUP_SYNC_PENDING'));
  }
  if (code && MODEL_CODES.has(code)) {
    const options = model ? { ...base(code, false), model } : base(code, false);
    return new KomboModelUnavailableError(message(code), options);
  }
  if (code === 'PLATFORM.RATE_LIMIT_EXCEEDED') {
    return new KomboRateLimitError(message(code), { ...base(code, true), scope: 'key' });
  }
  if (code && INTEGRATION_RATE_CODES.has(code)) {
    return new KomboRateLimitError(message(code), { ...base(code, true), scope: 'integration' });
  }
  if (code && TRANSIENT_CODES.has(code)) return new KomboServerError(message(code), base(code, true));

  const ownCode = code ?? `CLIENT.HTTP_${status}`;
  if (status >= 500) return new KomboServerError(message(ownCode), base(ownCode, true));
  // Without a code: a 429 is assumed key-wide, the cautious reading (throttle everything rather than hammer on).
  if (status === 429)
    return new KomboRateLimitError(message(ownCode), { ...base(ownCode, true), scope: 'key' });
  if (status === 401 && !code) return new KomboAuthenticationError(message(ownCode), base(ownCode, false));
  return new KomboError(message(ownCode), base(ownCode, false));
}
