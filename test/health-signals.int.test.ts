// Kombo's health signals end to end on real processes: the sandbox's signed webhooks through the ingress app, a
// worker process (node --import tsx apps/worker/src/main.ts), Postgres, and the `kombo-sync` CLI process.
// integration-state-changed INACTIVE stops every request (a schedule only asks Kombo whether it serves the
// integration again) and ACTIVE catches up, even when that webhook is lost; a state change is recorded while a run
// holds the integration; sync-finished failures and connection-flow-failed end recorded and shown.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  getIntegration,
  getRecentRuns,
  listConnectionFlowFailures,
  type IntegrationRow,
} from '@kombo-sync/db';
import {
  events,
  SECRET,
  startHarness as startIngress,
  type IngressHarness,
} from '@kombo-sync/ingress/testing';
import { parseExposition, sampleValue } from '@kombo-sync/metrics/testing';
import {
  createHarness,
  HRIS_TEST_MODELS,
  spawnWorkerProcess,
  type WorkerHarness,
} from '@kombo-sync/worker/testing';
import { runCli } from './support/run-cli.js';

let h: WorkerHarness;
let ingress: IngressHarness;
let worker: ChildProcess;
let metricsUrl: string;
let webhooks: { url: string; secret: string; debounceMs: number };

beforeAll(async () => {
  h = await createHarness();
  ingress = await startIngress({ redisUrl: h.redisUrl, prefix: h.prefix });
  webhooks = { url: `${ingress.url}/webhooks/kombo`, secret: SECRET, debounceMs: 0 };
  h.sandbox.setWebhooks(webhooks);
  // A short lease: a job that meets the previous run's lease waits for its expiry at most.
  worker = spawnWorkerProcess(h, {
    stdout: 'pipe',
    env: { SYNC_PAGE_SIZE: '20', SYNC_LEASE_TTL_MS: '3000', LOG_LEVEL: 'info' },
  });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    createInterface({ input: worker.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.includes('"worker started"'))
        resolve((JSON.parse(line) as { metricsPort: number }).metricsPort);
    });
  });
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
}, 90_000);

afterAll(async () => {
  if (worker.exitCode === null) {
    worker.kill('SIGTERM');
    await once(worker, 'exit');
  }
  await ingress.close();
  await h.close();
});

/** Polls `check` until it holds (or throws its last error after `timeoutMs`). */
async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function rowOf(id: string): Promise<IntegrationRow> {
  const row = await getIntegration(h.database, id);
  if (!row) throw new Error(`${id} not recorded yet`);
  return row;
}

async function stateOf(id: string, state: string): Promise<IntegrationRow> {
  return eventually(async () => {
    const row = await rowOf(id);
    expect(row.state).toBe(state);
    return row;
  });
}

/** A sandbox integration created (webhook through the ingress) and synced by the worker process. */
async function syncedIntegration(employees = 20): Promise<string> {
  const { id } = h.sandbox.createIntegration({ sizes: { employees } });
  await eventually(() => h.expectExact(id, HRIS_TEST_MODELS));
  return id;
}

const requestsOf = (id: string) => h.sandbox.stats().byIntegration[id]?.requests ?? 0;

const cli = (args: string[]) => runCli(h, args);

describe("Kombo's integration state", () => {
  it('is read from Kombo when the integration is created: never unknown', async () => {
    const id = await syncedIntegration();
    const row = await rowOf(id);
    expect([row.state, row.setupStatus]).toEqual(['ACTIVE', 'COMPLETED']);
  });

  it('INACTIVE stops every request (a schedule only asks Kombo); ACTIVE again catches up with a delta', async () => {
    const id = await syncedIntegration();
    h.sandbox.setIntegrationState(id, 'INACTIVE');
    await stateOf(id, 'INACTIVE');
    // Changes happen meanwhile; their data-changed webhooks and a retried job must not reach Kombo.
    h.sandbox.mutate(id, { updates: 3, creates: 2, deletes: 1, nestedUpdates: 1 });
    await h.sandbox.flushWebhooks();
    await h.waitForIdle();
    h.sandbox.resetStats();
    h.sandbox.sendWebhook({ integrationId: id, type: 'data-changed', changedModels: ['hris_employees'] });
    await h.sandbox.flushWebhooks();
    await h.waitForIdle();
    expect(requestsOf(id)).toBe(0);
    // The safety-net schedule's run: one GET /integrations/{id}, no list request.
    await h.trigger(id, { models: 'all', triggers: ['schedule:delta'] });
    await h.waitForIdle();
    expect(requestsOf(id)).toBe(1);
    expect((await rowOf(id)).state).toBe('INACTIVE');
    const runsBefore = await getRecentRuns(h.database, id);

    h.sandbox.setIntegrationState(id, 'ACTIVE');
    await stateOf(id, 'ACTIVE');
    await eventually(() => h.expectExact(id, HRIS_TEST_MODELS));
    await h.waitForIdle();
    const runs = await getRecentRuns(h.database, id);
    const [resumed] = runs;
    expect(runs.length).toBeGreaterThan(runsBefore.length);
    expect(resumed?.kind).toBe('delta');
    expect(Object.keys(resumed?.counts ?? {}).sort()).toEqual([...HRIS_TEST_MODELS].sort());
  });

  it('a lost ACTIVE webhook: the next scheduled run finds Kombo serving the integration and catches up', async () => {
    const id = await syncedIntegration();
    h.sandbox.setIntegrationState(id, 'INVALID');
    await stateOf(id, 'INVALID');
    await h.waitForIdle();
    h.sandbox.setWebhooks({ ...webhooks, dropRate: 1 });
    h.sandbox.setIntegrationState(id, 'ACTIVE');
    h.sandbox.mutate(id, { updates: 2, creates: 1 });
    await h.sandbox.flushWebhooks();
    h.sandbox.setWebhooks(webhooks);
    expect((await rowOf(id)).state).toBe('INVALID');

    await h.trigger(id, { models: 'all', triggers: ['schedule:delta'] });
    await eventually(() => h.expectExact(id, HRIS_TEST_MODELS));
    expect((await rowOf(id)).state).toBe('ACTIVE');
  });

  it('is recorded at once while a run holds the integration (the run watches it)', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 400 } });
    // Slow pages, so the initial pass is still running when the state changes.
    h.sandbox.setFaults({ probability: { latency: 1 }, integrationIds: [id], latencyMs: 300 });
    try {
      const running = await eventually(async () => {
        const [run] = await getRecentRuns(h.database, id, 1);
        expect(run?.status).toBe('running');
        return run!;
      });
      // Kombo's webhook alone (the sandbox keeps serving): only the signal path can record it this early.
      const body = events.integrationStateChanged(id, 'INACTIVE');
      body.data.updated_at = new Date().toISOString();
      expect((await ingress.post(body)).status).toBe(200);
      await stateOf(id, 'INACTIVE');
      // The run still holds the integration, or it saw the recorded state and stopped at a page boundary for it
      // (it watches the state); it never ran to its end first.
      const [run] = (await getRecentRuns(h.database, id, 10)).filter((r) => r.id === running.id);
      if (run?.status !== 'running')
        expect(run).toMatchObject({ status: 'interrupted', error: 'SYNC.INTERRUPTED: pause' });
    } finally {
      h.sandbox.setFaults({});
    }
    await h.waitForIdle(60_000);
  });
});

describe("Kombo's sync outcomes and failed connection flows", () => {
  it('sync-finished FAILED is recorded with its log_url; connection-flow-failed too; both shown', async () => {
    const id = await syncedIntegration();
    h.sandbox.sendWebhook({ integrationId: id, type: 'sync-finished', syncState: 'AUTHENTICATION_FAILED' });
    h.sandbox.sendWebhook({
      type: 'connection-flow-failed',
      tool: 'bamboohr',
      organizationName: 'Prospect Ltd',
    });
    await h.sandbox.flushWebhooks();
    const row = await eventually(async () => {
      const current = await rowOf(id);
      expect(current.komboSyncState).toBe('AUTHENTICATION_FAILED');
      return current;
    });
    expect(row.komboSyncLogUrl).toMatch(/^https:\/\/app\.kombo\.dev\/env\/sandbox\/logs\//);
    const [flow] = await eventually(async () => {
      const flows = await listConnectionFlowFailures(h.database);
      expect(flows).toHaveLength(1);
      return flows;
    });
    expect(flow).toMatchObject({ tool: 'bamboohr', category: 'HRIS', organizationName: 'Prospect Ltd' });
    expect(flow?.logUrl).toMatch(/flowId=/);

    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    const json = JSON.parse(status.stdout) as {
      integrations: { id: string; state: string; komboSync: { state: string; logUrl: string } | null }[];
      connectionFlowFailures: { tool: string; logUrl: string }[];
    };
    expect(json.integrations.find((i) => i.id === id)?.komboSync).toMatchObject({
      state: 'AUTHENTICATION_FAILED',
      logUrl: row.komboSyncLogUrl,
    });
    expect(json.connectionFlowFailures[0]).toMatchObject({ tool: 'bamboohr', logUrl: flow?.logUrl });
    const text = await cli(['status']);
    expect(text.stdout).toContain('AUTHENTICATION_FAILED');
    expect(text.stdout).toContain('Prospect Ltd');

    const metrics = parseExposition(await (await fetch(metricsUrl)).text());
    expect(
      sampleValue(metrics, 'kombo_sync_kombo_syncs_failed', { sync_state: 'AUTHENTICATION_FAILED' }),
    ).toBe(1);
    expect(sampleValue(metrics, 'kombo_sync_connection_flow_failures', {})).toBe(1);
    expect(sampleValue(metrics, 'kombo_sync_integrations', { state: 'unknown' })).toBeUndefined();
    expect(sampleValue(metrics, 'kombo_sync_integrations', { state: 'INACTIVE' })).toBe(1);
  });
});
