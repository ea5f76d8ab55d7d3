import type { KomboRateLimitError } from './errors.js';

/** One request about to be sent, as the budget sees it. */
export interface KomboBudgetRequest {
  /**
   * The integration whose share of the budget the request uses (the `X-Integration-Id`, or the integration a
   * `getIntegration` call is about); undefined for key-level calls such as `checkApiKey`.
   */
  readonly integrationId?: string;
  /** The caller's signal: a budget wait must end (rejecting with the signal's reason) when it aborts. */
  readonly signal?: AbortSignal;
}

/** Leave to send one request, as a budget granted it. */
export interface KomboRequestPermit {
  /** When the request may go, in ms on the budget's own clock; handed back with a key-wide 429. */
  readonly grantedAtMs: number;
}

/**
 * A request budget the client waits on before every HTTP attempt (in-client retries included). The client knows
 * nothing of how it is kept: the worker's implementation is shared by the whole fleet through Redis
 * (`createRedisRequestBudget` in packages/queue).
 */
export interface KomboRequestBudget {
  /** Resolves when the request may be sent; rejects with `request.signal`'s reason if it aborts first. */
  acquire(request: KomboBudgetRequest): Promise<KomboRequestPermit>;
  /**
   * Kombo answered a request sent under `permit` with a key-wide 429 (`KomboRateLimitError`, scope `key`). Awaited
   * before the error is retried or thrown; a rejection is ignored (the 429 itself is what the caller must see).
   */
  onKeyRateLimited(permit: KomboRequestPermit, error: KomboRateLimitError): Promise<void>;
}
