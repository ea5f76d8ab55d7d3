import { Agent as HttpAgent, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { performance } from 'node:perf_hooks';
import got from 'got';
import { errorFromResponse } from './error-from-response.js';
import {
  KomboAuthenticationError,
  KomboMalformedResponseError,
  KomboRateLimitError,
  type KomboError,
} from './errors.js';
import { toKomboError } from './network-error.js';
import type { KomboRequestBudget, KomboRequestPermit } from './request-budget.js';
import { parseRetryAfterMs, withRetry } from './retry.js';

/** The logger calls the client makes; a pino `Logger` (from @kombo-sync/logger) fits. */
export interface KomboLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** One HTTP attempt, for metrics. `status` is null when no response arrived. */
export interface KomboRequestEvent {
  model?: string;
  path: string;
  status: number | null;
  durationMs: number;
  errorCode?: string;
  /** A 429: whether the API key's limit (`key`) or one integration's (`integration`) was hit. */
  rateLimitScope?: 'key' | 'integration';
  /** Kombo rejected the API key (PLATFORM.AUTHENTICATION_INVALID or a bare 401). */
  isKeyRejected?: boolean;
}

export interface RequesterOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  maxRetries: number;
  maxRetryWaitMs: number;
  sleep: (ms: number) => Promise<void>;
  logger?: KomboLogger;
  onRequest?: (event: KomboRequestEvent) => void;
  /** Waited on before every attempt; told about key-wide 429s. Default: none (requests go at once). */
  budget?: KomboRequestBudget;
}

export interface RequestOptions {
  integrationId?: string;
  /** Whose share of the budget the request uses when it is not `integrationId` (no header is sent for it). */
  budgetIntegrationId?: string;
  searchParams?: Record<string, string>;
  model?: string;
  signal?: AbortSignal;
}

export interface JsonResponse {
  body: unknown;
  /** The body's text, as received (what `body` was parsed from). */
  text: string;
  /** Kombo-side time of the response, from its `Date` header (1 s resolution). */
  komboTime: Date;
}

export interface Requester {
  getJson(path: string, options?: RequestOptions): Promise<JsonResponse>;
  close(): void;
}

/** The got instance of a requester: Kombo's base URL and key, keep-alive agents, no retries or redirects of its own. */
function createHttp(options: RequesterOptions, agent: { http: HttpAgent; https: HttpsAgent }) {
  return got.extend({
    prefixUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: {
      authorization: `Bearer ${options.apiKey}`,
      accept: 'application/json',
      'user-agent': 'kombo-sync',
    },
    agent,
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
  });
}

/** Waits for the budget's permit for one attempt (none without a budget); a failure becomes a Kombo error. */
async function acquirePermit(
  { budget, apiKey }: RequesterOptions,
  where: string,
  request: RequestOptions,
): Promise<KomboRequestPermit | undefined> {
  if (!budget) return undefined;
  const integrationId = request.budgetIntegrationId ?? request.integrationId;
  try {
    return await budget.acquire({
      ...(integrationId === undefined ? {} : { integrationId }),
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (error) {
    throw toKomboError(error, apiKey, where, request.signal);
  }
}

/** The parsed body of a 2xx response; throws the Kombo error of any other status, or of a body that is not JSON. */
function jsonBodyOf(
  response: { statusCode: number; body: string; headers: IncomingHttpHeaders },
  path: string,
  where: string,
  model: string | undefined,
): unknown {
  const status = response.statusCode;
  let body: unknown;
  let isJson = true;
  try {
    body = JSON.parse(response.body);
  } catch {
    isJson = false;
  }
  if (status < 200 || status >= 300) {
    const retryAfterMs = parseRetryAfterMs(response.headers);
    throw errorFromResponse({ status, body, path, retryAfterMs, model });
  }
  if (!isJson) {
    throw new KomboMalformedResponseError(`Kombo ${where}: response body is not JSON`, {
      code: 'CLIENT.MALFORMED_JSON',
      status,
      isRetryable: true,
      ...(model ? { model } : {}),
    });
  }
  return body;
}

/** The request event of a failed attempt: its status (null without a response) and what the error says. */
function failedRequestEvent(
  path: string,
  model: string | undefined,
  status: number | null,
  durationMs: number,
  error: KomboError,
): KomboRequestEvent {
  return {
    model,
    path,
    status,
    durationMs,
    errorCode: error.code,
    ...(error instanceof KomboRateLimitError ? { rateLimitScope: error.scope } : {}),
    ...(error instanceof KomboAuthenticationError ? { isKeyRejected: true } : {}),
  };
}

/** Reads Kombo's time from a response's `Date` header; without a usable one, the local clock (warned about once). */
function komboClock(logger: KomboLogger | undefined): (headers: IncomingHttpHeaders) => Date {
  let hasWarnedAboutDate = false;
  return (headers) => {
    const date = headers.date ? new Date(headers.date) : undefined;
    if (date && !Number.isNaN(date.getTime())) return date;
    if (!hasWarnedAboutDate)
      logger?.warn({}, 'Kombo response without a usable Date header: using the local clock');
    hasWarnedAboutDate = true;
    return new Date();
  };
}

/** A got instance bound to one API key, with keep-alive agents, our retries (got's are off) and error mapping. */
export function createRequester(options: RequesterOptions): Requester {
  const { apiKey, logger, onRequest, budget } = options;
  const agent = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const http = createHttp(options, agent);
  const komboTimeOf = komboClock(logger);

  async function attempt(path: string, request: RequestOptions): Promise<JsonResponse> {
    const where = request.model ? `${request.model} (${path})` : path;
    const permit = await acquirePermit(options, where, request);
    const startedAt = performance.now();
    let status: number | null = null;
    try {
      const response = await http.get(path.replace(/^\/+/, ''), {
        headers: request.integrationId ? { 'x-integration-id': request.integrationId } : {},
        searchParams: request.searchParams,
        signal: request.signal,
      });
      status = response.statusCode;
      const body = jsonBodyOf(response, path, where, request.model);
      onRequest?.({ model: request.model, path, status, durationMs: performance.now() - startedAt });
      return { body, text: response.body, komboTime: komboTimeOf(response.headers) };
    } catch (error) {
      const komboError = toKomboError(error, apiKey, where, request.signal);
      if (permit && komboError instanceof KomboRateLimitError && komboError.scope === 'key') {
        await budget?.onKeyRateLimited(permit, komboError).catch((err: unknown) => {
          logger?.warn({ err }, 'request budget could not record a key-wide 429');
        });
      }
      onRequest?.(failedRequestEvent(path, request.model, status, performance.now() - startedAt, komboError));
      throw komboError;
    }
  }

  return {
    getJson(path, request = {}) {
      return withRetry(() => attempt(path, request), {
        maxRetries: options.maxRetries,
        maxRetryWaitMs: options.maxRetryWaitMs,
        sleep: options.sleep,
        signal: request.signal,
        onRetry: (error: KomboError, retry, waitMs) =>
          logger?.warn(
            { err: error, path, model: request.model, retry: retry + 1, waitMs },
            'Kombo request failed, retrying',
          ),
      });
    },
    close() {
      agent.http.destroy();
      agent.https.destroy();
    },
  };
}
