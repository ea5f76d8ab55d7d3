/*
 * The only errors the Kombo client throws. Each carries a stable `code` (Kombo's `error.code` when the response
 * had one, else our own `CLIENT.*` / `NETWORK.*` code), whether retrying can help, and how long to wait when known.
 * Messages never contain the API key, and `cause` is always a sanitized error (no request options or headers).
 */

export interface KomboErrorOptions {
  code: string;
  status?: number;
  isRetryable: boolean;
  retryAfterMs?: number;
  logUrl?: string;
  cause?: unknown;
}

/** Base class of every error thrown by the Kombo client. */
export class KomboError extends Error {
  readonly code: string;
  readonly status?: number;
  readonly isRetryable: boolean;
  readonly retryAfterMs?: number;
  readonly logUrl?: string;
  declare readonly cause?: unknown;

  constructor(message: string, options: KomboErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.isRetryable = options.isRetryable;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.logUrl !== undefined) this.logUrl = options.logUrl;
  }

  /** What `JSON.stringify` and loggers see: the fields only, the cause reduced to its name, code and message. */
  toJSON(): Record<string, unknown> {
    const { name, message, cause } = this;
    const json: Record<string, unknown> = { ...(this as object), name, message };
    if (cause instanceof Error) {
      json['cause'] = { name: cause.name, message: cause.message, code: (cause as { code?: unknown }).code };
    }
    return json;
  }
}

/** The API key is missing, wrong or revoked (PLATFORM.AUTHENTICATION_INVALID, a bare 401, PLATFORM.IP_NOT_WHITELISTED). */
export class KomboAuthenticationError extends KomboError {}

/** The integration id is unknown to Kombo (PLATFORM.INTEGRATION_NOT_FOUND): deleted, or never existed. */
export class KomboIntegrationNotFoundError extends KomboError {}

/**
 * The integration exists but cannot serve data until someone acts: INTEGRATION.INACTIVE,
 * INTEGRATION.AUTHENTICATION_INVALID (the end customer must relink), INTEGRATION.PERMISSION_MISSING.
 */
export class KomboIntegrationInactiveError extends KomboError {}

/**
 * The integration's setup is not finished (HTTP 409): INTEGRATION.SETUP_SYNC_PENDING (the first sync is still
 * running: retryable, wait for it or for `data-changed`), INTEGRATION.SETUP_INCOMPLETE and INTEGRATION.QA_FAILED
 * (need a person: not retryable).
 */
export class KomboSetupPendingError extends KomboError {}

/** The model is not available for this tool or is disabled in the scope config (MODEL_NOT_AVAILABLE / MODEL_DISABLED). */
export class KomboModelUnavailableError extends KomboError {
  readonly model?: string;

  constructor(message: string, options: KomboErrorOptions & { model?: string }) {
    super(message, options);
    if (options.model !== undefined) this.model = options.model;
  }
}

/**
 * Throttled. `scope: 'key'` (PLATFORM.RATE_LIMIT_EXCEEDED) means the whole API key must slow down;
 * `scope: 'integration'` (REMOTE.RATE_LIMIT_EXCEEDED, PLATFORM.CONCURRENCY_LIMIT_EXCEEDED) only this integration.
 */
export class KomboRateLimitError extends KomboError {
  readonly scope: 'key' | 'integration';

  constructor(message: string, options: KomboErrorOptions & { scope: 'key' | 'integration' }) {
    super(message, options);
    this.scope = options.scope;
  }
}

/** A 5xx response (or a Kombo code meaning a transient server-side failure). Retryable. */
export class KomboServerError extends KomboError {}

/** No usable response: connection refused or reset, DNS failure, timeout (`NETWORK.TIMEOUT`), body cut short. */
export class KomboNetworkError extends KomboError {}

/**
 * A response we cannot trust: not JSON (`CLIENT.MALFORMED_JSON`), not the Kombo envelope
 * (`CLIENT.INVALID_ENVELOPE`), or a record that breaks its model's schema (`CLIENT.SCHEMA_VIOLATION`).
 */
export class KomboMalformedResponseError extends KomboError {
  readonly model?: string;
  readonly field?: string;
  readonly recordId?: string;

  constructor(
    message: string,
    options: KomboErrorOptions & { model?: string; field?: string; recordId?: string },
  ) {
    super(message, options);
    if (options.model !== undefined) this.model = options.model;
    if (options.field !== undefined) this.field = options.field;
    if (options.recordId !== undefined) this.recordId = options.recordId;
  }
}

/** Kombo returned a `next` cursor that was already followed in this pagination: it would never end. */
export class KomboRepeatedCursorError extends KomboError {
  readonly model?: string;

  constructor(message: string, options: KomboErrorOptions & { model?: string }) {
    super(message, options);
    if (options.model !== undefined) this.model = options.model;
  }
}
