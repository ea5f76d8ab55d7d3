// Per-integration controls end to end on real processes: signed webhooks through the ingress app, a worker process
// (tsx apps/worker/src/main.ts), and the `kombo-sync` CLI process for pause, resume and configure.
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getIntegration, getRecentRuns } from '@kombo-sync/db';
import { peekIntent, readScheduleDefaults } from '@kombo-sync/queue';
import { events, startHarness as startIngress, type IngressHarness } from '@kombo-sync/ingress/testing';
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

beforeAll(async () => {
  h = await createHarness();
  ingress = await startIngress({ redisUrl: h.redisUrl, prefix: h.prefix });
  worker = spawnWorkerProcess(h, { env: { SYNC_PAGE_SIZE: '20' } });
  // The worker publishes the fleet's schedule defaults once it has started.
  const deadline = Date.now() + 60_000;
  while (!(await readScheduleDefaults(h.redis, h.prefix))) {
    if (Date.now() > deadline) throw new Error('worker process did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 90_000);

afterAll(async () => {
  if (worker.exitCode === null) worker.kill('SIGKILL');
  await ingress.close();
  await h.close();
});

const cli = (args: string[]) => runCli(h, args);

async function webhook(body: unknown): Promise<void> {
  const res = await ingress.post(body);
  expect(res.status).toBe(200);
}

describe('pause, resume and model subset through the real fleet', () => {
  it('a paused integration makes no Kombo request for its webhooks; resume syncs the change', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 40 } });
    await webhook(events.integrationCreated(id));
    await h.waitForIdle(60_000);
    await h.expectExact(id, HRIS_TEST_MODELS);

    expect((await cli(['pause', id])).code).toBe(0);
    expect((await getIntegration(h.database, id))?.isPaused).toBe(true);
    h.sandbox.mutate(id, { updates: 3, deletes: 1, creates: 2, models: ['hris_employees'] });
    h.sandbox.resetStats();
    await webhook(events.dataChanged(id, ['hris_employees']));
    await h.waitForIdle(60_000);
    expect(h.sandbox.stats().byIntegration[id]?.requests ?? 0).toBe(0);
    // Kept for the resume (data-changed maps hris_employees to the models that embed it too).
    const kept = await peekIntent(h.redis, h.prefix, id);
    expect(kept?.models).toContain('hris_employees');
    expect(kept?.triggers).toEqual(['data-changed']);
    await expect(h.expectExact(id, ['hris_employees'])).rejects.toThrow();

    const resumed = await cli(['resume', id]);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(/catch-up sync enqueued/);
    await h.waitForIdle(60_000);
    await h.expectExact(id, HRIS_TEST_MODELS);
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run).toMatchObject({ status: 'succeeded', kind: 'delta' });
    expect(run?.trigger.split(',').sort()).toEqual(['data-changed', 'resume']);
  }, 120_000);

  it('the worker syncs only the integration subset of models', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 40 } });
    await webhook(events.integrationCreated(id));
    await h.waitForIdle(60_000);
    const configured = await cli(['configure', id, '--models', 'hris_employees']);
    expect(configured.code).toBe(0);
    h.sandbox.mutate(id, { updates: 2, models: ['hris_employees', 'hris_employments'] });
    h.sandbox.resetStats();
    await webhook(events.dataChanged(id, ['hris_employees', 'hris_employments']));
    await h.waitForIdle(60_000);
    // One page of hris_employees; hris_employments is left alone.
    expect(h.sandbox.stats().byIntegration[id]?.requests).toBe(1);
    await h.expectExact(id, ['hris_employees']);
    await expect(h.expectExact(id, ['hris_employments'])).rejects.toThrow(/differs/);
  }, 120_000);
});
