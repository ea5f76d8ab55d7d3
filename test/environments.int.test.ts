// Several Kombo environments in one fleet: an "EU" sandbox as the default environment and a "US" sandbox as the
// named environment `us`, both with an integration of the same Kombo id, through the ingress app (each environment's
// webhooks on its own path, with its own secret) and a worker whose Kombo client routes each integration key to its
// environment's client (own URL, key and request budget).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getIntegration, listSyncLags } from '@kombo-sync/db';
import { createKomboClient, createEnvironmentClient, integrationKey } from '@kombo-sync/kombo';
import { collectSyncHealth, createMetrics } from '@kombo-sync/metrics';
import { parseExposition, sampleValue } from '@kombo-sync/metrics/testing';
import { once } from 'node:events';
import {
  events,
  SECRET as EU_SECRET,
  startHarness as startIngress,
  type IngressHarness,
} from '@kombo-sync/ingress/testing';
import {
  createEnvironmentClients,
  createHarness,
  HRIS_TEST_MODELS,
  logger,
  spawnWorkerProcess,
  type WorkerHarness,
} from '@kombo-sync/worker/testing';
import { createSandbox, type RunningSandbox, type Sandbox } from '@kombo-sync/sandbox/testing';
import { memoryOutput, runStatus } from '@kombo-sync/cli/testing';

const US_KEY = 'us-sandbox-key';
const US_SECRET = 'whsec_us_secret';
const SAME_ID = 'personio:SameIdInBothRegions1';
const US_KEY_OF = integrationKey('us', SAME_ID);

let h: WorkerHarness;
let ingress: IngressHarness;
let us: Sandbox;
let usApi: RunningSandbox;
const budgetWaits = new Map<string, number>();
const environmentMetrics = createMetrics({ service: 'worker', komboEnvironments: ['default', 'us'] });

beforeAll(async () => {
  h = await createHarness();
  us = createSandbox({ apiKey: US_KEY, seed: 99 });
  usApi = await us.listen(0);
  ingress = await startIngress({
    redisUrl: h.redisUrl,
    prefix: h.prefix,
    environments: [{ name: 'us', webhookSecrets: [US_SECRET] }],
  });
  // The US environment's budget: 4 requests a second, one at a time after an idle spell; the default one has none.
  const named = createEnvironmentClients(
    [{ name: 'us', apiUrl: usApi.url, apiKey: US_KEY, maxRequestsPerSecond: 4 }],
    {
      redis: h.redis,
      prefix: h.prefix,
      logger,
      shared: { timeoutMs: 5_000, maxRetries: 0, maxRetryWaitMs: 100 },
      metrics: environmentMetrics,
      onBudgetWait: (environment) => budgetWaits.set(environment, (budgetWaits.get(environment) ?? 0) + 1),
    },
  );
  h.startWorker({ wrapKombo: (client) => createEnvironmentClient(client, named) });
});

afterAll(async () => {
  await ingress.close();
  await h.close();
  await usApi.close();
});

describe('two Kombo environments, one fleet', () => {
  it('keeps integrations with the same Kombo id apart: webhook, job, rows, status, metrics, budget', async () => {
    h.sandbox.createIntegration({ id: SAME_ID, sizes: { employees: 15 } });
    us.createIntegration({ id: SAME_ID, sizes: { employees: 45 } });

    // Each environment's webhook on its own path, signed with its own secret; a webhook signed for the other
    // environment is rejected on either path.
    const created = events.integrationCreated(SAME_ID);
    expect((await ingress.post(created, { secret: US_SECRET })).status).toBe(401);
    expect((await ingress.post(created, { secret: EU_SECRET, path: '/webhooks/kombo/us' })).status).toBe(401);
    expect((await ingress.post(created)).status).toBe(200);
    expect((await ingress.post(created, { secret: US_SECRET, path: '/webhooks/kombo/us' })).status).toBe(200);
    await h.waitForIdle(60_000);

    await h.expectExact(SAME_ID, HRIS_TEST_MODELS);
    await h.expectExact(US_KEY_OF, HRIS_TEST_MODELS, { sandbox: us, komboId: SAME_ID });
    expect(await getIntegration(h.database, US_KEY_OF)).toMatchObject({ tool: 'personio', state: 'ACTIVE' });

    // A change in the US only reaches the US integration's rows.
    const { changedModels } = us.mutate(SAME_ID, {
      updates: 3,
      creates: 2,
      deletes: 1,
      models: ['hris_employees'],
    });
    const changed = events.dataChanged(SAME_ID, changedModels);
    expect((await ingress.post(changed, { secret: US_SECRET, path: '/webhooks/kombo/us' })).status).toBe(200);
    await h.waitForIdle(60_000);
    await h.expectExact(US_KEY_OF, HRIS_TEST_MODELS, { sandbox: us, komboId: SAME_ID });
    await h.expectExact(SAME_ID, HRIS_TEST_MODELS);

    // Status shows each with its environment.
    const out = memoryOutput();
    await runStatus({ db: h.database, out }, { json: true, all: true });
    const { integrations } = JSON.parse(out.stdout.join('\n')) as {
      integrations: { id: string; environment: string }[];
    };
    expect(integrations.map(({ id, environment }) => ({ id, environment }))).toEqual([
      { id: SAME_ID, environment: 'default' },
      { id: US_KEY_OF, environment: 'us' },
    ]);
    const text = memoryOutput();
    await runStatus({ db: h.database, out: text }, { integrationId: US_KEY_OF });
    expect(text.stdout.join('\n')).toContain(`${US_KEY_OF}  environment=us`);

    // Per-integration metrics carry the key.
    const metrics = createMetrics({ service: 'worker' });
    await collectSyncHealth(
      {
        lags: () => listSyncLags(h.database, { isPerIntegration: true }),
        progress: async () => [],
      },
      metrics,
      { isPerIntegration: true },
    );
    const exposition = await metrics.registry.metrics();
    expect(exposition).toContain(`integration_id="${SAME_ID}"`);
    expect(exposition).toContain(`integration_id="${US_KEY_OF}"`);

    // Only the US environment's budget waited: its key has its own budget, the default environment has none.
    expect(budgetWaits.get('us') ?? 0).toBeGreaterThan(0);
    expect([...budgetWaits.keys()]).toEqual(['us']);
    // The US client's requests and budget are counted under environment="us".
    const usLabel = { environment: 'us' };
    const counted = parseExposition(await environmentMetrics.registry.metrics());
    expect(
      sampleValue(counted, 'kombo_sync_kombo_requests_total', { ...usLabel, outcome: 'ok' }),
    ).toBeGreaterThan(0);
    expect(sampleValue(counted, 'kombo_sync_kombo_request_duration_seconds_count', usLabel)).toBeGreaterThan(
      0,
    );
    expect(sampleValue(counted, 'kombo_sync_kombo_budget_wait_seconds_count', usLabel)).toBe(
      budgetWaits.get('us'),
    );
    expect(sampleValue(counted, 'kombo_sync_kombo_budget_rate', usLabel)).toBe(4);
    expect(sampleValue(counted, 'kombo_sync_kombo_budget_rate', { environment: 'default' })).toBeUndefined();
  });

  it('a key of an environment the fleet does not know fails without asking any Kombo', async () => {
    const stray = integrationKey('dev', SAME_ID);
    const client = createEnvironmentClient(
      createKomboClient({ baseUrl: h.api.url, apiKey: 'unused', maxRetries: 0 }),
      new Map([['us', createKomboClient({ baseUrl: usApi.url, apiKey: US_KEY, maxRetries: 0 })]]),
    );
    await expect(client.getIntegration(stray)).rejects.toMatchObject({ code: 'CLIENT.UNKNOWN_ENVIRONMENT' });
    expect((await client.getIntegration(US_KEY_OF)).id).toBe(SAME_ID);
    client.close();
  });

  it("a worker process checks each environment's key at start and refuses one Kombo rejects, naming it", async () => {
    const child = spawnWorkerProcess(h, {
      stdout: 'pipe',
      env: { KOMBO_ENVIRONMENTS: 'us', KOMBO_US_API_URL: usApi.url, KOMBO_US_API_KEY: 'not-the-us-key' },
    });
    let output = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(output).toContain('Kombo rejected KOMBO_US_API_KEY');
    expect(output).toContain(`KOMBO_US_API_URL=${usApi.url}`);
    expect(output).not.toContain('not-the-us-key');
  }, 60_000);
});
