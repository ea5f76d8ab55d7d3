import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request as httpRequest } from 'node:http';
import { createSandbox, type RunningSandbox, type Sandbox } from './index.js';

const API_KEY = 'fault-key';
let sandbox: Sandbox;
let running: RunningSandbox;
let integrationId: string;

const headers = (): Record<string, string> => ({
  authorization: `Bearer ${API_KEY}`,
  'x-integration-id': integrationId,
});

async function fetchText(
  path: string,
  signal?: AbortSignal,
): Promise<{ status: number; text: string; headers: Headers }> {
  const response = await fetch(`${running.url}${path}`, { headers: headers(), signal });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

beforeAll(async () => {
  sandbox = createSandbox({ apiKey: API_KEY, seed: 3 });
  running = await sandbox.listen(0);
  integrationId = sandbox.createIntegration({ sizes: { employees: 20 } }).id;
});
afterAll(async () => {
  await running.close();
});

describe('faults on demand', () => {
  it.each([
    ['rate_limit_key', 429, 'PLATFORM.RATE_LIMIT_EXCEEDED'],
    ['rate_limit_integration', 429, 'REMOTE.RATE_LIMIT_EXCEEDED'],
    ['concurrency_limit', 429, 'PLATFORM.CONCURRENCY_LIMIT_EXCEEDED'],
    ['server_error', 500, 'PLATFORM.UNKNOWN_ERROR'],
    ['unavailable', 503, 'REMOTE.SERVICE_UNAVAILABLE'],
    ['setup_pending', 409, 'INTEGRATION.SETUP_SYNC_PENDING'],
    ['model_unavailable', 403, 'INTEGRATION.MODEL_NOT_AVAILABLE'],
  ] as const)('%s answers %d %s once, then normal service resumes', async (fault, status, code) => {
    sandbox.injectFault({ fault, integrationId, model: 'hris_employees' });
    const faulty = await fetchText('/hris/employees');
    expect(faulty.status).toBe(status);
    expect(JSON.parse(faulty.text)).toMatchObject({ status: 'error', error: { code } });
    if (status === 429) {
      expect(faulty.headers.get('retry-after')).toBe('1');
      expect(faulty.headers.get('ratelimit-remaining')).toBe('0');
      expect(faulty.headers.get('ratelimit-limit')).not.toBeNull();
      expect(faulty.headers.get('ratelimit-reset')).not.toBeNull();
    }
    expect((await fetchText('/hris/employees')).status).toBe(200);
  });

  it('bad_gateway answers 502 with a non-JSON body', async () => {
    sandbox.injectFault({ fault: 'bad_gateway' });
    const { status, text } = await fetchText('/hris/employees');
    expect(status).toBe(502);
    expect(() => JSON.parse(text)).toThrow();
  });

  it('malformed_json, schema_break and repeat_cursor corrupt an otherwise normal page', async () => {
    sandbox.injectFault({ fault: 'malformed_json', integrationId });
    const malformed = await fetchText('/hris/employees');
    expect(malformed.status).toBe(200);
    expect(() => JSON.parse(malformed.text)).toThrow();

    sandbox.injectFault({ fault: 'schema_break', model: 'hris_employees' });
    const broken = JSON.parse((await fetchText('/hris/employees?page_size=5')).text);
    expect(broken.data.results[0].changed_at).toBe('not-a-date');

    const first = JSON.parse((await fetchText('/hris/employees?page_size=5')).text);
    sandbox.injectFault({ fault: 'repeat_cursor' });
    const repeated = JSON.parse(
      (await fetchText(`/hris/employees?page_size=5&cursor=${first.data.next}`)).text,
    );
    expect(repeated.data.next).toBe(first.data.next);
  });

  it('poisonRecord serves a raw record text verbatim wherever the record is listed, until cleared', async () => {
    const [victim] = sandbox.truth(integrationId, 'hris_employees');
    const id = String(victim?.['id']);
    const text = `{"id":${JSON.stringify(id)},"changed_at":"2025-01-01T00:00:00.000Z","remote_deleted_at":null,"k\\u0000":"\\ud800","n":1e1000000}`;
    const response = await fetch(`${running.adminUrl}/integrations/${integrationId}/poison`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'hris_employees', recordId: id, text }),
    });
    expect(response.status).toBe(200);
    for (const path of ['/hris/employees?page_size=250', `/hris/employees?ids=${encodeURIComponent(id)}`]) {
      const body = (await fetchText(path)).text;
      expect(body).toContain(text);
      expect(JSON.parse(body).data.results.find((r: { id: string }) => r.id === id)).toMatchObject({
        n: Infinity,
      });
    }
    const other = (await fetchText('/hris/groups')).text;
    expect(other).not.toContain(text);
    await fetch(`${running.adminUrl}/integrations/${integrationId}/poison`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    const clean = JSON.parse((await fetchText(`/hris/employees?ids=${encodeURIComponent(id)}`)).text);
    expect(clean.data.results).toEqual([victim]);
  });

  it('truncated_body sends half of the announced bytes and cuts the connection', async () => {
    sandbox.injectFault({ fault: 'truncated_body' });
    await expect(fetchText('/hris/employees')).rejects.toThrow();
  });

  it('latency delays the answer; hang never answers and is released when the client gives up', async () => {
    sandbox.injectFault({ fault: 'latency', latencyMs: 150 });
    const startedAt = Date.now();
    expect((await fetchText('/hris/employees')).status).toBe(200);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);

    sandbox.resetStats();
    sandbox.injectFault({ fault: 'hang' });
    const controller = new AbortController();
    const hung = fetchText('/hris/employees', controller.signal);
    await waitFor(() => sandbox.stats().byIntegration[integrationId]?.inFlight === 1);
    controller.abort();
    await expect(hung).rejects.toThrow();
    await waitFor(() => sandbox.stats().byIntegration[integrationId]?.inFlight === 0);
    expect(sandbox.stats().byIntegration[integrationId]).toMatchObject({ requests: 1, maxInFlight: 1 });
  });

  it('a new integration answers 409 SETUP_SYNC_PENDING for its first N requests', async () => {
    const { id } = sandbox.createIntegration({ sizes: { employees: 3 }, setupPendingRequests: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await fetch(`${running.url}/hris/employees`, {
        headers: { ...headers(), 'x-integration-id': id },
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses).toEqual([409, 409, 200]);
  });

  it('applies probabilistic faults only to the chosen integrations', async () => {
    const other = sandbox.createIntegration({ sizes: { employees: 3 } }).id;
    sandbox.setFaults({ probability: { server_error: 1 }, integrationIds: [integrationId] });
    expect((await fetchText('/hris/employees')).status).toBe(500);
    const response = await fetch(`${running.url}/hris/employees`, {
      headers: { ...headers(), 'x-integration-id': other },
    });
    expect(response.status).toBe(200);
    sandbox.setFaults({});
  });

  it('counts concurrent requests per integration, and the pages requested again', async () => {
    sandbox.resetStats();
    sandbox.setFaults({ probability: { latency: 1 }, latencyMs: 100 });
    await Promise.all([1, 2, 3].map(() => fetchText('/hris/employees')));
    sandbox.setFaults({});
    expect(sandbox.stats().byIntegration[integrationId]).toEqual({
      requests: 3,
      inFlight: 0,
      maxInFlight: 3,
      repeatedPages: 2,
    });
    expect(sandbox.stats().requests).toBe(3);
  });

  it('close() does not wait for hung requests', async () => {
    const other = createSandbox({ apiKey: 'k' });
    const extra = await other.listen(0);
    other.injectFault({ fault: 'hang' });
    const req = httpRequest(new URL(`${extra.url}/check-api-key`), {
      headers: { authorization: 'Bearer k' },
    });
    req.on('error', () => undefined);
    req.end();
    await waitFor(() => other.stats().requests === 1);
    await extra.close();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
