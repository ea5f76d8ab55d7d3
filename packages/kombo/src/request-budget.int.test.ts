import { createServer, type OutgoingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createKomboClient, type KomboClient } from './client.js';
import { KomboError, KomboRateLimitError } from './errors.js';
import type { KomboBudgetRequest, KomboRequestBudget, KomboRequestPermit } from './request-budget.js';

type BudgetReply = { status: number; body: unknown; headers?: OutgoingHttpHeaders };
const ok: BudgetReply = { status: 200, body: { status: 'success', data: { environment_id: 'env_1' } } };
const rateLimited = (code: string): BudgetReply => ({
  status: 429,
  headers: { 'retry-after': '0' },
  body: { status: 'error', error: { code, title: 'Throttled', message: 'slow down', log_url: null } },
});
let replies: BudgetReply[] = [];
let requestCount = 0;
let integrationHeaders: Array<string | undefined> = [];
const server = createServer((req, res) => {
  requestCount++;
  integrationHeaders.push(req.headers['x-integration-id'] as string | undefined);
  const reply = (replies.length > 1 ? replies.shift() : replies[0]) ?? ok;
  res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
  res.end(JSON.stringify(reply.body));
});

/** An in-memory budget that records what the client asks of it; `gate` holds every acquire until resolved. */
class RecordingBudget implements KomboRequestBudget {
  readonly acquired: KomboBudgetRequest[] = [];
  readonly rateLimited: Array<{ permit: KomboRequestPermit; error: KomboRateLimitError }> = [];
  gate: Promise<void> = Promise.resolve();

  async acquire(request: KomboBudgetRequest): Promise<KomboRequestPermit> {
    this.acquired.push(request);
    const grantedAtMs = this.acquired.length;
    await new Promise<void>((resolve, reject) => {
      request.signal?.addEventListener('abort', () => reject(request.signal?.reason), { once: true });
      void this.gate.then(resolve);
    });
    return { grantedAtMs };
  }

  async onKeyRateLimited(permit: KomboRequestPermit, error: KomboRateLimitError): Promise<void> {
    this.rateLimited.push({ permit, error });
  }
}

let baseUrl = '';
const clients: KomboClient[] = [];
function makeClient(budget: KomboRequestBudget): KomboClient {
  const client = createKomboClient({ baseUrl, apiKey: 'sk_budget', budget, sleep: async () => undefined });
  clients.push(client);
  return client;
}

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  for (const client of clients) client.close();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  replies = [ok];
  requestCount = 0;
  integrationHeaders = [];
});

describe('the client with a request budget', () => {
  it('acquires once per HTTP attempt, in-client retries included', async () => {
    const budget = new RecordingBudget();
    replies = [{ status: 503, body: {} }, { status: 502, body: {} }, ok];
    await makeClient(budget).checkApiKey();
    expect(requestCount).toBe(3);
    expect(budget.acquired).toHaveLength(3);
    expect(budget.acquired[0]?.integrationId).toBeUndefined();
  });

  it("charges pages to the integration's share, getIntegration too (without sending the header)", async () => {
    const budget = new RecordingBudget();
    const client = makeClient(budget);
    replies = [{ status: 200, body: { status: 'success', data: { next: null, results: [] } } }];
    for await (const page of client.pages('hris_employees', { integrationId: 'personio:a' })) {
      expect(page.results).toEqual([]);
    }
    replies = [
      {
        status: 200,
        body: {
          status: 'success',
          data: {
            id: 'personio:b',
            tool: { id: 'personio' },
            category: 'HRIS',
            status: 'ACTIVE',
            setup_status: 'COMPLETED',
          },
        },
      },
    ];
    await client.getIntegration('personio:b');
    expect(budget.acquired.map((request) => request.integrationId)).toEqual(['personio:a', 'personio:b']);
    expect(integrationHeaders).toEqual(['personio:a', undefined]);
  });

  it('hands a key-wide 429 back with the permit it was sent under, an integration 429 not', async () => {
    const budget = new RecordingBudget();
    replies = [rateLimited('PLATFORM.RATE_LIMIT_EXCEEDED'), rateLimited('REMOTE.RATE_LIMIT_EXCEEDED'), ok];
    await makeClient(budget).checkApiKey();
    expect(requestCount).toBe(3);
    expect(budget.rateLimited).toHaveLength(1);
    expect(budget.rateLimited[0]?.permit).toEqual({ grantedAtMs: 1 });
    expect(budget.rateLimited[0]?.error.scope).toBe('key');
  });

  it('a caller that aborts while waiting for the budget gets CLIENT.ABORTED and sends nothing', async () => {
    const budget = new RecordingBudget();
    budget.gate = new Promise(() => undefined);
    const controller = new AbortController();
    const pages = makeClient(budget).pages('hris_employees', {
      integrationId: 'personio:a',
      signal: controller.signal,
    });
    const next = pages.next();
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error('shutdown'));
    const error = await next.catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KomboError);
    expect((error as KomboError).code).toBe('CLIENT.ABORTED');
    expect(requestCount).toBe(0);
  });
});
