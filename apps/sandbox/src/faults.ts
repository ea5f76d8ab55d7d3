import type { Response } from 'express';
import { sendKomboError } from './errors.js';

/** Every fault the sandbox can inject (contract list). */
export const FAULT_NAMES = [
  'rate_limit_key',
  'rate_limit_integration',
  'concurrency_limit',
  'server_error',
  'bad_gateway',
  'unavailable',
  'latency',
  'hang',
  'malformed_json',
  'truncated_body',
  'schema_break',
  'repeat_cursor',
  'setup_pending',
  'model_unavailable',
] as const;
export type FaultName = (typeof FAULT_NAMES)[number];

export const isFaultName = (name: unknown): name is FaultName => FAULT_NAMES.includes(name as FaultName);

export interface FaultSettings {
  /** Probability (0..1) per fault for every matching request. */
  probability?: Partial<Record<FaultName, number>>;
  /** Restricts the probabilistic faults to these integrations (default: all). */
  integrationIds?: string[];
  /** Delay of the `latency` fault in ms (default 1000). */
  latencyMs?: number;
}

export interface FaultInjection {
  fault: FaultName;
  /** How many matching requests get it (default 1). */
  count?: number;
  integrationId?: string;
  model?: string;
  latencyMs?: number;
}

export interface RequestInfo {
  integrationId?: string;
  model?: string;
  hasCursor: boolean;
}

export interface FaultDecision {
  fault: FaultName;
  latencyMs: number;
}

const LIST_ONLY: ReadonlySet<FaultName> = new Set([
  'schema_break',
  'repeat_cursor',
  'model_unavailable',
  'malformed_json',
  'truncated_body',
]);

function applies(fault: FaultName, info: RequestInfo): boolean {
  if (LIST_ONLY.has(fault) && !info.model) return false;
  if (fault === 'repeat_cursor' && !info.hasCursor) return false;
  if (fault === 'setup_pending' && !info.integrationId) return false;
  return true;
}

/** Decides which fault (if any) a request gets: on-demand injections first, then the configured probabilities. */
export class FaultController {
  private settings: FaultSettings = {};
  private queue: (FaultInjection & { remaining: number })[] = [];

  set(settings: FaultSettings): void {
    this.settings = { ...settings };
  }

  inject(injection: FaultInjection): void {
    this.queue.push({ ...injection, remaining: injection.count ?? 1 });
  }

  clear(): void {
    this.settings = {};
    this.queue = [];
  }

  pick(info: RequestInfo): FaultDecision | undefined {
    const defaultLatencyMs = this.settings.latencyMs ?? 1000;
    const queued = this.queue.find(
      (q) =>
        (!q.integrationId || q.integrationId === info.integrationId) &&
        (!q.model || q.model === info.model) &&
        applies(q.fault, info),
    );
    if (queued) {
      queued.remaining -= 1;
      if (queued.remaining <= 0) this.queue.splice(this.queue.indexOf(queued), 1);
      return { fault: queued.fault, latencyMs: queued.latencyMs ?? defaultLatencyMs };
    }
    const { probability, integrationIds } = this.settings;
    if (!probability) return undefined;
    if (integrationIds && (!info.integrationId || !integrationIds.includes(info.integrationId)))
      return undefined;
    for (const fault of FAULT_NAMES) {
      const p = probability[fault] ?? 0;
      if (p > 0 && applies(fault, info) && Math.random() < p) return { fault, latencyMs: defaultLatencyMs };
    }
    return undefined;
  }
}

function rateLimited(res: Response, code: string, message: string): void {
  res.setHeader('Retry-After', '1');
  res.setHeader('ratelimit-limit', '100');
  res.setHeader('ratelimit-remaining', '0');
  res.setHeader('ratelimit-reset', '1');
  sendKomboError(res, 429, code, message);
}

/**
 * Answers a request with an error-type fault. Returns false for faults that change a normal response instead
 * (latency, malformed_json, truncated_body, schema_break, repeat_cursor), which the route applies itself.
 */
export function respondWithFault(res: Response, fault: FaultName): boolean {
  switch (fault) {
    case 'rate_limit_key':
      rateLimited(res, 'PLATFORM.RATE_LIMIT_EXCEEDED', 'You have exceeded the rate limit of your API key.');
      return true;
    case 'rate_limit_integration':
      rateLimited(res, 'REMOTE.RATE_LIMIT_EXCEEDED', 'The remote system rate-limited this integration.');
      return true;
    case 'concurrency_limit':
      rateLimited(
        res,
        'PLATFORM.CONCURRENCY_LIMIT_EXCEEDED',
        'Too many concurrent requests for this integration.',
      );
      return true;
    case 'server_error':
      sendKomboError(res, 500, 'PLATFORM.UNKNOWN_ERROR', 'An unknown error occurred.');
      return true;
    case 'bad_gateway':
      res.status(502).type('text/html').send('<html><body><h1>502 Bad Gateway</h1></body></html>');
      return true;
    case 'unavailable':
      res.setHeader('Retry-After', '1');
      sendKomboError(res, 503, 'REMOTE.SERVICE_UNAVAILABLE', 'The service is temporarily unavailable.');
      return true;
    case 'setup_pending':
      sendKomboError(
        res,
        409,
        'INTEGRATION.SETUP_SYNC_PENDING',
        'The initial sync of this integration is still running.',
      );
      return true;
    case 'model_unavailable':
      sendKomboError(
        res,
        403,
        'INTEGRATION.MODEL_NOT_AVAILABLE',
        'This model is not available for this integration.',
      );
      return true;
    case 'hang':
      // Never answered: the client gives up; the request's close handler releases it.
      return true;
    default:
      return false;
  }
}
