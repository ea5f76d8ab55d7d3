import { createServer, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createKomboClient, type KomboClient, type KomboClientOptions } from './client.js';
import {
  KomboAuthenticationError,
  KomboError,
  KomboIntegrationInactiveError,
  KomboIntegrationNotFoundError,
  KomboModelUnavailableError,
  KomboNetworkError,
  KomboRateLimitError,
  KomboServerError,
  KomboSetupPendingError,
} from './errors.js';

const API_KEY = 'sk_test_errors_VERY_secret_key';
type FaultReply = { status: number; body?: unknown; headers?: OutgoingHttpHeaders } | 'hang' | 'truncate';
let replies: FaultReply[] = [];
let requestCount = 0;
const server = createServer((_req, res: ServerResponse) => {
  requestCount++;
  const reply = replies.length > 1 ? replies.shift() : replies[0];
  if (!reply || reply === 'hang') return;
  if (reply === 'truncate') {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write('{"status":"success","da');
    setImmediate(() => res.destroy());
    return;
  }
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  res.end(typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body ?? {}));
});
const kombo = (status: number, code: string | null, headers?: OutgoingHttpHeaders): FaultReply => ({
  status,
  headers,
  body: {
    status: 'error',
    error: { code, title: 'Title', message: `failed with ${code}`, log_url: 'https://log/1' },
  },
});
const ok: FaultReply = { status: 200, body: { status: 'success', data: { environment_id: 'env_1' } } };

let baseUrl = '';
const clients: KomboClient[] = [];
const errors: unknown[] = [];
let waits: number[] = [];
function makeClient(options: Partial<KomboClientOptions> = {}): KomboClient {
  const client = createKomboClient({
    baseUrl,
    apiKey: API_KEY,
    sleep: async (ms) => {
      waits.push(ms);
    },
    ...options,
  });
  clients.push(client);
  return client;
}
async function failure(promise: Promise<unknown>): Promise<KomboError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  errors.push(error);
  expect(error).toBeInstanceOf(KomboError);
  return error as KomboError;
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  clients.forEach((client) => client.close());
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  requestCount = 0;
  waits = [];
});

describe('errors from HTTP responses', () => {
  const table: [
    FaultReply,
    new (...args: never[]) => KomboError,
    string,
    boolean,
    Record<string, unknown>?,
  ][] = [
    [
      kombo(401, 'PLATFORM.AUTHENTICATION_INVALID'),
      KomboAuthenticationError,
      'PLATFORM.AUTHENTICATION_INVALID',
      false,
    ],
    [{ status: 401, body: 'Unauthorized' }, KomboAuthenticationError, 'CLIENT.HTTP_401', false],
    [
      kombo(404, 'PLATFORM.INTEGRATION_NOT_FOUND'),
      KomboIntegrationNotFoundError,
      'PLATFORM.INTEGRATION_NOT_FOUND',
      false,
    ],
    [kombo(403, 'INTEGRATION.INACTIVE'), KomboIntegrationInactiveError, 'INTEGRATION.INACTIVE', false],
    [
      kombo(401, 'INTEGRATION.AUTHENTICATION_INVALID'),
      KomboIntegrationInactiveError,
      'INTEGRATION.AUTHENTICATION_INVALID',
      false,
    ],
    [
      kombo(403, 'INTEGRATION.PERMISSION_MISSING'),
      KomboIntegrationInactiveError,
      'INTEGRATION.PERMISSION_MISSING',
      false,
    ],
    [
      kombo(409, 'INTEGRATION.SETUP_SYNC_PENDING'),
      KomboSetupPendingError,
      'INTEGRATION.SETUP_SYNC_PENDING',
      true,
    ],
    [
      kombo(409, 'INTEGRATION.SETUP_INCOMPLETE'),
      KomboSetupPendingError,
      'INTEGRATION.SETUP_INCOMPLETE',
      false,
    ],
    [kombo(409, 'INTEGRATION.QA_FAILED'), KomboSetupPendingError, 'INTEGRATION.QA_FAILED', false],
    // Branch on the code, not the status: the same code keeps its meaning under an old status.
    [
      kombo(503, 'INTEGRATION.SETUP_SYNC_PENDING'),
      KomboSetupPendingError,
      'INTEGRATION.SETUP_SYNC_PENDING',
      true,
    ],
    [
      kombo(400, 'INTEGRATION.MODEL_NOT_AVAILABLE'),
      KomboModelUnavailableError,
      'INTEGRATION.MODEL_NOT_AVAILABLE',
      false,
    ],
    [
      kombo(400, 'INTEGRATION.MODEL_DISABLED'),
      KomboModelUnavailableError,
      'INTEGRATION.MODEL_DISABLED',
      false,
    ],
    [
      kombo(429, 'PLATFORM.RATE_LIMIT_EXCEEDED'),
      KomboRateLimitError,
      'PLATFORM.RATE_LIMIT_EXCEEDED',
      true,
      { scope: 'key' },
    ],
    [
      kombo(429, 'REMOTE.RATE_LIMIT_EXCEEDED'),
      KomboRateLimitError,
      'REMOTE.RATE_LIMIT_EXCEEDED',
      true,
      { scope: 'integration' },
    ],
    [
      kombo(429, 'PLATFORM.CONCURRENCY_LIMIT_EXCEEDED'),
      KomboRateLimitError,
      'PLATFORM.CONCURRENCY_LIMIT_EXCEEDED',
      true,
      { scope: 'integration' },
    ],
    [kombo(500, 'PLATFORM.UNKNOWN_ERROR'), KomboServerError, 'PLATFORM.UNKNOWN_ERROR', true],
    [{ status: 502, body: '<html>bad gateway</html>' }, KomboServerError, 'CLIENT.HTTP_502', true],
    [kombo(400, 'PLATFORM.INPUT_INVALID'), KomboError, 'PLATFORM.INPUT_INVALID', false],
    [{ status: 418, body: {} }, KomboError, 'CLIENT.HTTP_418', false],
  ];
  for (const [reply, ErrorClass, code, isRetryable, extra] of table) {
    it(`${typeof reply === 'string' ? reply : reply.status} ${code} → ${ErrorClass.name}`, async () => {
      replies = [reply];
      const error = await failure(makeClient({ maxRetries: 0 }).checkApiKey());
      expect(error).toBeInstanceOf(ErrorClass);
      expect(error).toMatchObject({
        code,
        isRetryable,
        status: typeof reply === 'string' ? undefined : reply.status,
        ...extra,
      });
      if (code.includes('.') && !code.startsWith('CLIENT.')) expect(error.logUrl).toBe('https://log/1');
    });
  }

  it('names the model on model errors from pages()', async () => {
    replies = [kombo(400, 'INTEGRATION.MODEL_NOT_AVAILABLE')];
    const error = await failure(
      makeClient({ maxRetries: 0 }).pages('ats_offers', { integrationId: 'a:b' }).next(),
    );
    expect(error).toMatchObject({ model: 'ats_offers' });
    expect(error.message).toContain('ats_offers');
  });
});

describe('retries', () => {
  it('honours Retry-After seconds, HTTP dates and ratelimit-reset with the injected sleep', async () => {
    const date = 'Wed, 01 Jan 2025 12:00:00 GMT';
    replies = [
      kombo(429, 'PLATFORM.RATE_LIMIT_EXCEEDED', { 'retry-after': '2' }),
      kombo(503, null, { 'retry-after': 'Wed, 01 Jan 2025 12:00:03 GMT', date }),
      kombo(429, 'REMOTE.RATE_LIMIT_EXCEEDED', { 'ratelimit-reset': '1' }),
      ok,
    ];
    const info = await makeClient({ maxRetries: 3 }).checkApiKey();
    expect(info.environment_id).toBe('env_1');
    expect(waits).toEqual([2000, 3000, 1000]);
    expect(requestCount).toBe(4);
  });

  it('backs off with full jitter on 5xx and gives up after maxRetries', async () => {
    replies = [kombo(500, null)];
    const error = await failure(makeClient({ maxRetries: 3, maxRetryWaitMs: 5000 }).checkApiKey());
    expect(error).toBeInstanceOf(KomboServerError);
    expect(requestCount).toBe(4);
    expect(waits).toHaveLength(3);
    waits.forEach((ms, attempt) => {
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThanOrEqual(250 * 2 ** attempt);
    });
  });

  it('surfaces a long Retry-After as an error with retryAfterMs, without sleeping', async () => {
    replies = [kombo(429, 'PLATFORM.RATE_LIMIT_EXCEEDED', { 'retry-after': '120' })];
    const error = await failure(makeClient({ maxRetryWaitMs: 5000 }).checkApiKey());
    expect(error).toBeInstanceOf(KomboRateLimitError);
    expect(error).toMatchObject({ retryAfterMs: 120_000, isRetryable: true, scope: 'key' });
    expect(waits).toEqual([]);
    expect(requestCount).toBe(1);
  });

  it('does not retry errors that are not transient', async () => {
    replies = [kombo(409, 'INTEGRATION.SETUP_SYNC_PENDING')];
    await failure(makeClient({ maxRetries: 3 }).checkApiKey());
    expect(requestCount).toBe(1);
  });
});

describe('network faults', () => {
  it('turns a timeout into KomboNetworkError NETWORK.TIMEOUT', async () => {
    replies = ['hang'];
    const error = await failure(makeClient({ timeoutMs: 100, maxRetries: 1 }).checkApiKey());
    expect(error).toBeInstanceOf(KomboNetworkError);
    expect(error).toMatchObject({ code: 'NETWORK.TIMEOUT', isRetryable: true });
    expect(requestCount).toBe(2);
  });

  it('turns a body cut short into a retryable network error', async () => {
    replies = ['truncate'];
    const error = await failure(makeClient({ maxRetries: 0 }).checkApiKey());
    expect(error).toBeInstanceOf(KomboNetworkError);
    expect(error.isRetryable).toBe(true);
    expect(error.code).toMatch(/^NETWORK\./);
  });

  it('turns a refused connection into NETWORK.CONNECTION_REFUSED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const client = makeClient({ baseUrl: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
    const error = await failure(client.komboTime());
    expect(error).toMatchObject({ code: 'NETWORK.CONNECTION_REFUSED', isRetryable: true });
  });

  it('stops on abort with CLIENT.ABORTED', async () => {
    replies = ['hang'];
    const controller = new AbortController();
    const pending = makeClient()
      .pages('ats_tags', { integrationId: 'a:b', signal: controller.signal })
      .next();
    setImmediate(() => controller.abort());
    const error = await failure(pending);
    expect(error).toMatchObject({ code: 'CLIENT.ABORTED', isRetryable: false });
  });
});

describe('secrets', () => {
  it('scrubs an API key that the server echoes back', async () => {
    replies = [
      { status: 401, body: { status: 'error', error: { code: null, message: `bad key ${API_KEY}` } } },
    ];
    const error = await failure(makeClient({ maxRetries: 0 }).checkApiKey());
    expect(error.message).toContain('[REDACTED]');
  });

  it('never shows the API key in any error of this suite, however it is printed', () => {
    expect(errors.length).toBeGreaterThan(20);
    for (const error of errors) {
      expect(JSON.stringify(error)).not.toContain(API_KEY);
      expect(String(error)).not.toContain(API_KEY);
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(API_KEY);
      expect(inspect((error as Error).cause, { depth: 10, showHidden: true })).not.toContain(API_KEY);
    }
  });
});
