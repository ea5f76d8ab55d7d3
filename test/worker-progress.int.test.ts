// Visible progress: a full pass's pages and records done vs. expected, with an ETA, readable from another process
// (here: other connections) while the run is between pages: in `status`, `sync --wait`, the dashboard's views and
// `/metrics` (per model, no integration_id label by default); `status` shows both lanes' depth; the lag is the time
// since the last successful check, so it stays small on an idle, synced integration whose watermark ages.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  getModelProgress,
  listIntegrationStatus,
  listRunningEstimates,
  listSyncLags,
  loadIntegrationStatus,
  upsertIntegration,
  type ProgressEstimate,
} from '@kombo-sync/db';
import { collectSyncHealth, createMetrics } from '@kombo-sync/metrics';
import { sql } from 'drizzle-orm';
import { memoryOutput, runStatus, runSync } from '@kombo-sync/cli/testing';
import { parseExposition, sampleValue } from '@kombo-sync/metrics/testing';
import { createdIntent, createHarness, type WorkerHarness } from '@kombo-sync/worker/testing';

const MODEL = 'hris_employees';
const LATENCY_MS = 150;

let h: WorkerHarness;
beforeAll(async () => {
  h = await createHarness({
    enabledModels: [MODEL],
    pageSize: 20,
    bulkConcurrency: 1,
    // Every page's counts are written, so a poll between two pages sees the latest.
    progressIntervalMs: 0,
  });
  h.startWorker();
});
afterAll(async () => {
  h.sandbox.setFaults({});
  await h.close();
});

interface StatusDetail {
  models: {
    model: string;
    lagSeconds: number | null;
    watermark: string | null;
    progress: ProgressEstimate | null;
  }[];
}

async function statusDetail(id: string): Promise<StatusDetail> {
  const out = memoryOutput();
  await runStatus({ db: h.database, out }, { integrationId: id, json: true });
  return JSON.parse(out.stdout.join('')) as StatusDetail;
}

async function scrape(isPerIntegration = false) {
  const metrics = createMetrics({ service: 'dashboard' });
  await collectSyncHealth(
    {
      lags: () => listSyncLags(h.database, { isPerIntegration }),
      progress: () => listRunningEstimates(h.database, new Date()),
    },
    metrics,
    { isPerIntegration },
  );
  return metrics.registry.metrics();
}

/** Polls `status` (another set of connections than the worker's) until the pass has written `pages` pages. */
async function waitForRunningPass(id: string, pages: number): Promise<ProgressEstimate> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const progress = (await statusDetail(id)).models.find((m) => m.model === MODEL)?.progress;
    if (progress?.status === 'running' && progress.pagesDone >= pages) return progress;
    if (Date.now() > deadline)
      throw new Error(`no running pass with ${pages} pages: ${JSON.stringify(progress)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('progress', () => {
  let id: string;
  let lastFull: { records: number; pages: number };

  it('a complete full pass records what the next one expects', async () => {
    ({ id } = h.sandbox.createIntegration({ sizes: { employees: 400 } }));
    await h.trigger(id, createdIntent(id));
    await h.waitForIdle();
    const row = (await getModelProgress(h.database, id)).get(MODEL);
    expect(row).toMatchObject({ status: 'succeeded', isFullPass: true });
    expect(row?.recordsDone).toBe(h.sandbox.truth(id, MODEL).length);
    expect(row?.lastFullRecords).toBe(row?.recordsDone);
    expect(row?.lastFullPages).toBe(row?.pagesDone);
    expect(row?.pagesDone).toBeGreaterThanOrEqual(20);
    lastFull = { records: row?.lastFullRecords ?? 0, pages: row?.lastFullPages ?? 0 };
  });

  it('is visible mid-run with an ETA in status, the dashboard and /metrics; status shows every lane', async () => {
    h.sandbox.setFaults({ probability: { latency: 1 }, latencyMs: LATENCY_MS, integrationIds: [id] });
    await h.trigger(id, { full: true, models: 'all', triggers: ['manual'] });
    const progress = await waitForRunningPass(id, 3);
    expect(progress).toMatchObject({
      isFullPass: true,
      expectedRecords: lastFull.records,
      expectedPages: lastFull.pages,
    });
    expect(progress.pagesDone).toBeLessThan(lastFull.pages);
    expect(progress.recordsDone).toBeGreaterThan(0);
    expect(progress.fraction).toBeGreaterThan(0);
    expect(progress.fraction).toBeLessThan(1);
    // Sane: positive, and no more than the whole pass would take at the pace so far (plus a margin).
    const wholePassSeconds = lastFull.records / (progress.recordsPerSecond ?? 1);
    expect(progress.etaSeconds).toBeGreaterThan(0);
    expect(progress.etaSeconds).toBeLessThanOrEqual(wholePassSeconds);

    const out = memoryOutput();
    await runStatus({ db: h.database, out, queues: async () => h.queues }, { filter: 'running' });
    const text = out.stdout.join('\n');
    expect(text.split('\n').find((line) => line.startsWith(id))).toMatch(
      new RegExp(`1 pass: \\d+/${lastFull.records} records, ETA \\S+`),
    );
    expect(text).toMatch(
      /Queues:\nLANE\s+QUEUE\s+WAITING\s+DELAYED\s+ACTIVE\n[- ]+\ndelta\s+kombo-sync\s+\d+\s+\d+\s+\d+\nonboarding\s+kombo-sync-onboarding\s+0\s+0\s+0\nbulk\s+kombo-sync-bulk\s+0\s+0\s+1$/m,
    );
    const json = memoryOutput();
    await runStatus({ db: h.database, out: json, queues: async () => h.queues }, { json: true });
    expect((JSON.parse(json.stdout.join('')) as { lanes: unknown }).lanes).toEqual([
      // The delta lane holds the integration's schedulers (delayed jobs).
      { lane: 'delta', queue: 'kombo-sync', waiting: 0, delayed: expect.any(Number), active: 0 },
      { lane: 'onboarding', queue: 'kombo-sync-onboarding', waiting: 0, delayed: 0, active: 0 },
      { lane: 'bulk', queue: 'kombo-sync-bulk', waiting: 0, delayed: 0, active: 1 },
    ]);
    const detailText = memoryOutput();
    await runStatus({ db: h.database, out: detailText }, { integrationId: id });
    expect(detailText.stdout.join('\n')).toMatch(
      new RegExp(
        `${MODEL}\\s.*full pass: \\d+/${lastFull.pages} pages, \\d+/${lastFull.records} records \\(\\d+%\\), ETA`,
      ),
    );

    const now = new Date();
    const dashboard = await loadIntegrationStatus(h.database, id, { now, lagThresholdMs: 3_600_000 });
    expect(dashboard?.models.find((m) => m.model === MODEL)?.progress).toMatchObject({
      status: 'running',
      expectedRecords: lastFull.records,
      etaSeconds: expect.any(Number),
    });
    const list = await listIntegrationStatus(h.database, { now, lagThresholdMs: 3_600_000, search: id });
    expect(list.integrations.find((i) => i.id === id)).toMatchObject({
      health: 'running',
      running: { passes: 1, expectedRecords: lastFull.records },
    });

    const exposition = await scrape();
    expect(exposition).not.toContain('integration_id');
    const parsed = parseExposition(exposition);
    const labels = { model: MODEL };
    expect(sampleValue(parsed, 'kombo_sync_passes_running', labels)).toBe(1);
    expect(sampleValue(parsed, 'kombo_sync_progress_records', { ...labels, of: 'expected' })).toBe(
      lastFull.records,
    );
    expect(sampleValue(parsed, 'kombo_sync_progress_records', { ...labels, of: 'done' })).toBeGreaterThan(0);
    expect(sampleValue(parsed, 'kombo_sync_progress_eta_seconds', labels)).toBeGreaterThan(0);
    expect(await scrape(true)).toContain(`integration_id="${id}"`);

    h.sandbox.setFaults({});
    await h.waitForIdle(60_000);
    const done = (await statusDetail(id)).models.find((m) => m.model === MODEL)?.progress;
    expect(done).toMatchObject({ status: 'succeeded', recordsDone: lastFull.records, etaSeconds: null });
    expect(sampleValue(parseExposition(await scrape()), 'kombo_sync_passes_running', labels)).toBe(undefined);
  }, 90_000);

  it('lag is the time since the last successful check: small while the watermark of an idle integration ages', async () => {
    await h.database.db.execute(
      sql`UPDATE sync_state SET watermark = now() - interval '2 days' WHERE integration_id = ${id}`,
    );
    const model = (await statusDetail(id)).models.find((m) => m.model === MODEL);
    expect(Date.now() - Date.parse(model?.watermark ?? '')).toBeGreaterThan(47 * 3_600_000);
    expect(model?.lagSeconds).toBeLessThan(60);
    const page = await listIntegrationStatus(h.database, {
      now: new Date(),
      lagThresholdMs: 3_600_000,
      search: id,
    });
    const view = page.integrations.find((i) => i.id === id);
    expect(view?.maxLagSeconds).toBeLessThan(60);
    expect(view?.flags).not.toContain('lagging');
    const lag = sampleValue(parseExposition(await scrape()), 'kombo_sync_lag_seconds', { model: MODEL });
    expect(lag).toBeLessThan(60);
  });

  it('sync --wait shows the running pass with pages and records vs. expected', async () => {
    await upsertIntegration(h.database, { id, tool: 'personio', category: 'HRIS', state: 'ACTIVE' });
    h.sandbox.setFaults({ probability: { latency: 1 }, latencyMs: LATENCY_MS, integrationIds: [id] });
    const out = memoryOutput();
    const deps = { db: h.database, request: h.request, out, pollMs: 50 };
    try {
      expect(await runSync(deps, { integrationId: id, full: true, wait: true, timeoutMs: 60_000 })).toBe(0);
    } finally {
      h.sandbox.setFaults({});
    }
    expect(out.stdout.join('\n')).toMatch(
      new RegExp(
        `  ${MODEL}: full pass: \\d+/${lastFull.pages} pages, \\d+/${lastFull.records} records \\(\\d+%\\)`,
      ),
    );
  }, 90_000);
});
