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

/** A got instance bound to one API key, with keep-alive agents, our retries (got's are off) and error mapping. */
export function createRequester(options: RequesterOptions): Requester {
  const { apiKey, logger, onRequest, budget } = options;
  const agent = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const http = got.extend({
    prefixUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json', 'user-agent': 'kombo-sync' },
    agent,
    timeout: { request: options.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    followRedirect: false,
    responseType: 'text',
  });
  let hasWarnedAboutDate = false;

  function komboTimeOf(headers: IncomingHttpHeaders): Date {
    const date = headers.date ? new Date(headers.date) : undefined;
    if (date && !Number.isNaN(date.getTime())) return date;
    if (!hasWarnedAboutDate)
      logger?.warn({}, 'Kombo response without a usable Date header: using the local clock');
    hasWarnedAboutDate = true;
    return new Date();
  }

  async function attempt(path: string, request: RequestOptions): Promise<JsonResponse> {
    const where = request.model ? `${request.model} (${path})` : path;
    let permit: KomboRequestPermit | undefined;
    if (budget) {
      const integrationId = request.budgetIntegrationId ?? request.integrationId;
      try {
        permit = await budget.acquire({
          ...(integrationId === undefined ? {} : { integrationId }),
          ...(request.signal ? { signal: request.signal } : {}),
        });
      } catch (error) {
        throw toKomboError(error, apiKey, where, request.signal);
      }
    }
    const startedAt = performance.now();
    let status: number | null = null;
    try {
      const response = await http.get(path.replace(/^\/+/, ''), {
        headers: request.integrationId ? { 'x-integration-id': request.integrationId } : {},
        searchParams: request.searchParams,
        signal: request.signal,
      });
      status = response.statusCode;
      let body: unknown;
      let isJson = true;
      try {
        body = JSON.parse(response.body);
      } catch {
        isJson = false;
      }
      if (status < 200 || status >= 300) {
        const retryAfterMs = parseRetryAfterMs(response.headers);
        throw errorFromResponse({ status, body, path, retryAfterMs, model: request.model });
      }
      if (!isJson) {
        throw new KomboMalformedResponseError(`Kombo ${where}: response body is not JSON`, {
          code: 'CLIENT.MALFORMED_JSON',
          status,
          isRetryable: true,
          ...(request.model ? { model: request.model } : {}),
        });
      }
      onRequest?.({ model: request.model, path, status, durationMs: performance.now() - startedAt });
      return { body, text: response.body, komboTime: komboTimeOf(response.headers) };
    } catch (error) {
      const komboError = toKomboError(error, apiKey, where, request.signal);
      if (permit && komboError instanceof KomboRateLimitError && komboError.scope === 'key') {
        await budget?.onKeyRateLimited(permit, komboError).catch((err: unknown) => {
          logger?.warn({ err }, 'request budget could not record a key-wide 429');
        });
      }
      onRequest?.({
        model: request.model,
        path,
        status,
        durationMs: performance.now() - startedAt,
        errorCode: komboError.code,
        ...(komboError instanceof KomboRateLimitError ? { rateLimitScope: komboError.scope } : {}),
        ...(komboError instanceof KomboAuthenticationError ? { isKeyRejected: true } : {}),
      });
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
