// A real worker process (node --import tsx apps/worker/src/main.ts): its /metrics parses as Prometheus text and
// moves with a sync; its sweeper gives a job to an intent that was recorded without one.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns } from '@kombo-sync/db';
import { countLiveWorkers, recordIntent } from '@kombo-sync/queue';
import { parseExposition, sampleValue } from '@kombo-sync/metrics/testing';
import {
  createHarness,
  HRIS_TEST_MODELS,
  spawnWorkerProcess,
  type WorkerHarness,
} from './testing/worker-harness.js';

let h: WorkerHarness;
let child: ChildProcess;
let metricsUrl: string;

beforeAll(async () => {
  h = await createHarness();
  child = spawnWorkerProcess(h, {
    stdout: 'pipe',
    env: { SYNC_PAGE_SIZE: '20', WORKER_SWEEP_INTERVAL_MS: '200', LOG_LEVEL: 'info' },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited early with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (!line.includes('"worker started"')) return;
      resolve((JSON.parse(line) as { metricsPort: number }).metricsPort);
    });
  });
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
});
afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  await h.close();
});

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });

async function recordsWritten(): Promise<number> {
  const response = await fetch(metricsUrl);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const { types, samples } = parseExposition(await response.text());
  expect(types.get('kombo_sync_records_written_total')).toBe('counter');
  return samples
    .filter((sample) => sample.name === 'kombo_sync_records_written_total')
    .reduce((sum, sample) => sum + sample.value, 0);
}

describe('worker process: metrics and sweeper', () => {
  it('/metrics parses as Prometheus text and kombo_sync_records_written_total moves after a sync', async () => {
    const before = await recordsWritten();
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 20 } });
    await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle();
    await h.expectExact(id, HRIS_TEST_MODELS);
    const rows = HRIS_TEST_MODELS.reduce((sum, model) => sum + h.sandbox.truth(id, model).length, 0);
    expect((await recordsWritten()) - before).toBe(rows);
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('the sweeper syncs an intent recorded without a job (a crash between record and add)', async () => {
    const { id } = h.sandbox.createIntegration({ sizes: { employees: 20 } });
    await recordIntent(h.redis, h.prefix, {
      integrationId: id,
      replayTtlSeconds: 60,
      intent: { created: created(id), full: true, triggers: ['integration-created'] },
    });
    // No ensureSyncJob: only the worker's sweeper can turn the dirty intent into a job.
    await h.waitForIdle(15_000);
    const [run] = await getRecentRuns(h.database, id, 1);
    expect(run?.status).toBe('succeeded');
    expect(run?.trigger).toBe('integration-created');
    await h.expectExact(id, HRIS_TEST_MODELS);
  });

  it('exports the series the alert rules read; a worker that stops leaves the live count at once', async () => {
    const parsed = parseExposition(await (await fetch(metricsUrl)).text());
    expect(sampleValue(parsed, 'kombo_sync_workers_live', {})).toBe(1);
    for (const lane of ['delta', 'bulk'])
      expect(sampleValue(parsed, 'kombo_sync_queue_jobs', { lane, state: 'waiting' })).toBe(0);
    expect(sampleValue(parsed, 'kombo_sync_kombo_rate_limited_total', { scope: 'key' })).toBe(0);
    expect(sampleValue(parsed, 'kombo_sync_kombo_key_rejections_total', {})).toBe(0);
    expect(sampleValue(parsed, 'kombo_sync_connection_flow_failures', {})).toBe(0);
    expect(await countLiveWorkers(h.redis, h.prefix)).toBe(1);
    child.kill('SIGTERM');
    await once(child, 'exit');
    expect(await countLiveWorkers(h.redis, h.prefix)).toBe(0);
  });
});
