import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import { refusedAddressReason } from './check-address.js';

/** Most response-body bytes read (then the connection is closed): a receiver cannot make us buffer more. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export interface SendWebhookInput {
  url: string;
  /** The signature headers (signWebhook) and anything else to send besides Content-Type and Content-Length. */
  headers: Record<string, string>;
  body: string;
  /** The whole attempt (DNS, connect, TLS, response headers and body) is cut after this, ms. */
  timeoutMs: number;
  /** Let private, loopback and link-local targets through (WEBHOOK_ALLOW_PRIVATE_TARGETS). */
  isPrivateAllowed: boolean;
  /** Keep-alive agent of the endpoint; default a fresh connection. */
  agent?: http.Agent;
}

export type SendOutcome = 'delivered' | 'failed' | 'timeout' | 'refused' | 'network';

export interface SendWebhookResult {
  outcome: SendOutcome;
  /** The HTTP status; null when no response came. */
  statusCode: number | null;
  latencyMs: number;
  /** A short reason (status, error code), never the URL, a secret or the response body. */
  error: string | null;
  /** The receiver's `Retry-After` in ms (seconds or an HTTP date), when sent. */
  retryAfterMs?: number;
}

class TargetRefusedError extends Error {
  readonly code = 'TARGET_REFUSED';
}
class AttemptTimeoutError extends Error {
  readonly code = 'ATTEMPT_TIMEOUT';
}

/**
 * A DNS lookup that answers only with addresses a webhook may be sent to, so the address checked is the address
 * the socket connects to (no second resolution between check and connect, hence no DNS-rebinding window).
 */
function guardedLookup(isPrivateAllowed: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const allowed = addresses.filter(
        (a) => refusedAddressReason(a.address, isPrivateAllowed) === undefined,
      );
      const first = allowed[0];
      if (!first) {
        const reason = addresses[0] ? refusedAddressReason(addresses[0].address, false) : 'no address';
        return callback(new TargetRefusedError(`target refused: ${reason}`), '', 0);
      }
      if (options.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
      else callback(null, first.address, first.family);
    });
  };
}

function retryAfterMsOf(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Where to send: the URL and its host, or why not (not a URL, not http(s), a refused IP literal). */
function targetOf(
  input: SendWebhookInput,
): { url: URL; hostname: string } | { outcome: SendOutcome; error: string } {
  let url: URL;
  try {
    url = new URL(input.url);
  } catch {
    return { outcome: 'failed', error: 'invalid URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return { outcome: 'failed', error: 'not an http(s) URL' };
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(hostname)) {
    const reason = refusedAddressReason(hostname, input.isPrivateAllowed);
    if (reason) return { outcome: 'refused', error: `target refused: ${reason}` };
  }
  return { url, hostname };
}

/**
 * The webhook's POST to `url`: the name resolved by {@link guardedLookup}, and the body written only once the
 * connected socket's remote address is checked too.
 */
function postRequest(url: URL, hostname: string, input: SendWebhookInput): http.ClientRequest {
  const request = (url.protocol === 'https:' ? https : http).request({
    protocol: url.protocol,
    hostname,
    port: url.port || undefined,
    path: `${url.pathname}${url.search}`,
    method: 'POST',
    ...(url.username || url.password
      ? { auth: `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` }
      : {}),
    headers: {
      ...input.headers,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(input.body)),
      'user-agent': 'kombo-sync-webhooks',
    },
    lookup: guardedLookup(input.isPrivateAllowed),
    ...(input.agent ? { agent: input.agent } : { agent: false }),
  });
  request.on('socket', (socket: Socket) => {
    const send = () => {
      const reason = refusedAddressReason(socket.remoteAddress ?? '', input.isPrivateAllowed);
      if (reason) request.destroy(new TargetRefusedError(`target refused: ${reason}`));
      else request.end(input.body);
    };
    if (socket.connecting) socket.once('connect', send);
    else send();
  });
  return request;
}

/**
 * Reads at most {@link MAX_RESPONSE_BYTES} of the response, then reports its outcome to `finish` (2xx: delivered,
 * else failed, with the receiver's `Retry-After`); `finish` may be called more than once and keeps the first.
 */
function readResponse(
  response: http.IncomingMessage,
  finish: (result: Omit<SendWebhookResult, 'latencyMs'>) => void,
): void {
  const statusCode = response.statusCode ?? 0;
  let bytes = 0;
  const done = () => {
    const isOk = statusCode >= 200 && statusCode < 300;
    const retryAfterMs = retryAfterMsOf(response.headers['retry-after'], Date.now());
    finish({
      outcome: isOk ? 'delivered' : 'failed',
      statusCode,
      error: isOk ? null : `HTTP ${statusCode}`,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    });
  };
  response.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes > MAX_RESPONSE_BYTES) {
      done();
      response.destroy();
    }
  });
  response.on('end', done);
  response.on('error', done);
}

/**
 * POSTs one signed webhook. Bounded: one deadline for the whole attempt, at most {@link MAX_RESPONSE_BYTES} of the
 * response read, redirects never followed (a 3xx is a failure, as Standard Webhooks recommends). SSRF-guarded: an
 * IP-literal host is checked before connecting, a name is resolved by {@link guardedLookup}, and the socket's
 * remote address is checked again once connected, before a byte of the request is written. Never throws.
 */
export function sendWebhook(input: SendWebhookInput): Promise<SendWebhookResult> {
  const startedAt = performance.now();
  const elapsed = () => Math.round(performance.now() - startedAt);
  const fail = (outcome: SendOutcome, error: string): SendWebhookResult => ({
    outcome,
    statusCode: null,
    latencyMs: elapsed(),
    error,
  });
  const target = targetOf(input);
  if ('error' in target) return Promise.resolve(fail(target.outcome, target.error));
  return new Promise((resolve) => {
    let isSettled = false;
    const settle = (result: SendWebhookResult) => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const request = postRequest(target.url, target.hostname, input);
    const timer = setTimeout(
      () => request.destroy(new AttemptTimeoutError(`timed out after ${input.timeoutMs} ms`)),
      input.timeoutMs,
    );
    request.on('response', (response) =>
      readResponse(response, (result) => settle({ ...result, latencyMs: elapsed() })),
    );
    request.on('error', (err: Error & { code?: string }) => {
      if (err instanceof AttemptTimeoutError) settle(fail('timeout', err.message));
      else if (err instanceof TargetRefusedError) settle(fail('refused', err.message));
      else settle(fail('network', (err.code ?? err.name).slice(0, 100)));
    });
  });
}
