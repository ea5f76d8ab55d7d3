import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  recordConnectionFlowFailure,
  recordKomboState,
  recordKomboSync,
  setIntegrationState,
} from '@kombo-sync/db';
import { createLogger } from '@kombo-sync/logger';
import { createMetrics } from '@kombo-sync/metrics';
import { DashboardConfigError } from './auth.js';
import { createDashboardApp } from './create-dashboard-app.js';
import type { IntegrationStatus, IntegrationStatusDetail } from '@kombo-sync/db';
import { dashboardConfig } from './dashboard-config.js';
import { basicAuth, bearerAuth, startHarness, type DashboardHarness } from './testing/dashboard-harness.js';
import { FAILING, HEALTHY, NEVER_SYNCED, NOW, seed } from './testing/seed.js';

/** What JSON makes of a status: dates are ISO strings. */
type Json<T> = { [K in keyof T]: T[K] extends Date | null ? string | null : T[K] };
type ListBody = { integrations: Json<IntegrationStatus>[] };
type DetailBody = { integration: Json<IntegrationStatusDetail> };

describe('dashboard over HTTP: auth, status page, JSON API', () => {
  let h: DashboardHarness;
  const get = (path: string, authorization?: string) =>
    fetch(`${h.url}${path}`, { headers: authorization ? { authorization } : {} });

  beforeAll(async () => {
    h = await startHarness({ now: () => NOW }, { lagThresholdMs: 60 * 60 * 1000 });
    await seed(h.db);
  });
  afterAll(async () => {
    await h.close();
  });

  it('requires credentials: none or wrong ones get 401, basic and bearer are accepted', async () => {
    const none = await get('/');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect((await get('/', basicAuth('ops', 'wrong'))).status).toBe(401);
    expect((await get('/', basicAuth('other', 'p@ss:word'))).status).toBe(401);
    expect((await get('/api/integrations', bearerAuth('nope'))).status).toBe(401);
    const api401 = await get('/api/integrations');
    expect(await api401.json()).toEqual({
      error: { code: 'UNAUTHORIZED', message: 'Authentication required' },
    });
    expect((await get('/', basicAuth())).status).toBe(200);
    expect((await get('/api/integrations', bearerAuth())).status).toBe(200);
  });

  it('keeps /healthz and /readyz open and /metrics behind auth', async () => {
    for (const path of ['/healthz', '/readyz']) {
      const health = await get(path);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
    }
    expect((await get('/metrics')).status).toBe(401);
    const metrics = await get('/metrics', bearerAuth());
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain(
      'kombo_sync_queue_jobs{queue="kombo-sync",state="waiting",lane="delta",service="dashboard"} 0',
    );
    expect(text).toContain('kombo_sync_workers_live{service="dashboard"} 0');
    // Per model, never per integration by default: the series count does not grow with the fleet.
    expect(text).toMatch(/kombo_sync_lag_seconds\{model="hris_employees",service="dashboard"\} \d/);
    expect(text).not.toContain('integration_id');
  });

  it('refuses to start in production without credentials; starts open in development', async () => {
    const deps = {
      db: h.db,
      redis: h.redis,
      queues: h.queues,
      logger: createLogger({ name: 't', level: 'silent' }),
      metrics: createMetrics({ service: 'dashboard' }),
    };
    const config = dashboardConfig({ queuePrefix: h.prefix, nodeEnv: 'production' });
    expect(() => createDashboardApp({ ...deps, config })).toThrow(DashboardConfigError);
    const open = await h.startApp({
      nodeEnv: 'development',
      dashboardUsername: undefined,
      dashboardPassword: undefined,
      dashboardToken: undefined,
    });
    expect((await fetch(`${open}/api/integrations`)).status).toBe(200);
  });

  it('lists integrations with their states, models, lag and errors (escaped) on the status page', async () => {
    const res = await get('/', basicAuth());
    const page = await res.text();
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    for (const id of [HEALTHY, FAILING, NEVER_SYNCED]) expect(page).toContain(`data-integration="${id}"`);
    expect(page).toContain(`data-integration="${FAILING}" data-health="failing"`);
    expect(page).toContain(`data-integration="${HEALTHY}" data-health="ok"`);
    expect(page).toContain('ats_candidates');
    expect(page).toContain('2/2 synced');
    expect(page).toContain('2026-11-28 11:55:00Z');
    expect(page).toContain('REMOTE.RATE_LIMIT_EXCEEDED');
    expect(page).toContain('Too many requests &lt;b&gt;now&lt;/b&gt;');
    expect(page).not.toContain('<b>now</b>');
    expect(page).toContain('href="https://app.kombo.dev/logs/abc"');
    expect(page).toMatch(/name="_csrf" value="[\w-]+\.[\w-]+"/);
  });

  it('flags an integration Kombo answers INTEGRATION_NOT_FOUND for: a badge and notFoundSince in the API', async () => {
    const since = new Date('2026-11-28T11:00:00.000Z');
    await setIntegrationState(h.db, HEALTHY, { notFoundSince: since });
    try {
      const page = await (await get('/', basicAuth())).text();
      expect(page).toMatch(
        /<span\s+class="badge bad"\s+title="[^"]*2026-11-28T11:00:00.000Z"\s*>\s*not found\s*<\/span\s*>/,
      );
      const body = (await (await get('/api/integrations', bearerAuth())).json()) as ListBody;
      const byId = new Map(body.integrations.map((i) => [i.id, i]));
      expect(byId.get(HEALTHY)?.notFoundSince).toBe(since.toISOString());
      expect(byId.get(FAILING)?.notFoundSince).toBeNull();
    } finally {
      await setIntegrationState(h.db, HEALTHY, { notFoundSince: null });
    }
  });

  it("shows Kombo's state and setup, its own failed sync with the log link, and failed connection flows", async () => {
    await recordKomboState(h.db, FAILING, { state: 'INVALID', setupStatus: 'FINAL_SYNC_PENDING' });
    const logUrl = 'https://app.kombo.dev/env/prod/logs/sync-9';
    await recordKomboSync(h.db, FAILING, { syncId: 'sync-9', state: 'FAILED', endedAt: NOW, logUrl });
    await recordConnectionFlowFailure(h.db, {
      eventId: 'evt-flow',
      tool: 'bamboohr',
      category: 'HRIS',
      originId: null,
      organizationName: 'Prospect <Ltd>',
      creatorEmail: null,
      logUrl: 'https://app.kombo.dev/env/prod/logs?flowId=f9',
    });
    try {
      const page = await (await get('/', basicAuth())).text();
      const row = page.slice(page.indexOf(`data-integration="${FAILING}"`));
      expect(row).toMatch(/>INVALID<\/span/);
      expect(row).toContain('setup FINAL_SYNC_PENDING');
      expect(row).toMatch(
        /Kombo sync FAILED[\s\S]*href="https:\/\/app\.kombo\.dev\/env\/prod\/logs\/sync-9"/,
      );
      expect(page).toContain('Prospect &lt;Ltd&gt;');
      expect(page).toContain('flowId=f9');
      const body = (await (await get('/api/integrations', bearerAuth())).json()) as ListBody;
      const failing = body.integrations.find((i) => i.id === FAILING);
      expect(failing).toMatchObject({
        state: 'INVALID',
        setupStatus: 'FINAL_SYNC_PENDING',
        komboSync: { state: 'FAILED', logUrl, isFailed: true, endedAt: NOW.toISOString() },
        // Kombo's state and its own sync are states of the views too: filters, counts and health.
        health: 'inactive',
        flags: ['inactive', 'failing', 'lagging', 'kombo-failed'],
      });
      const inactive = (await (
        await get('/api/integrations?filter=inactive', bearerAuth())
      ).json()) as ListBody;
      expect(inactive.integrations.map((i) => i.id)).toEqual([FAILING]);
      expect(
        (await get('/?filter=kombo-failed', basicAuth()).then((res) => res.text())).match(
          /<tr data-integration=/g,
        ),
      ).toHaveLength(1);
      const metrics = await (await get('/metrics', bearerAuth())).text();
      expect(metrics).toContain('kombo_sync_kombo_syncs_failed{sync_state="FAILED",service="dashboard"} 1');
      expect(metrics).toContain(
        'kombo_sync_integrations{state="INVALID",setup_status="FINAL_SYNC_PENDING",service="dashboard"} 1',
      );
    } finally {
      await recordKomboState(h.db, FAILING, { state: 'ACTIVE', setupStatus: 'COMPLETED' });
      await recordKomboSync(h.db, FAILING, {
        syncId: 'sync-10',
        state: 'SUCCEEDED',
        endedAt: new Date(NOW.getTime() + 1),
        logUrl: null,
      });
    }
  });

  it('filters failing and lagging integrations', async () => {
    const failing = await (await get('/?filter=failing', basicAuth())).text();
    expect(failing).toContain(`data-integration="${FAILING}"`);
    expect(failing).not.toContain(`data-integration="${HEALTHY}"`);
    const lagging = (await (await get('/api/integrations?filter=lagging', bearerAuth())).json()) as ListBody;
    expect(lagging.integrations.map((i) => i.id).sort()).toEqual([NEVER_SYNCED, FAILING].sort());
    expect((await get('/?filter=bogus', basicAuth())).status).toBe(400);
  });

  it('GET /api/integrations returns the summary and a page of integrations with their states and latest run', async () => {
    const body = (await (await get('/api/integrations', bearerAuth())).json()) as ListBody & {
      summary: { integrations: number; states: Record<string, number>; health: Record<string, number> };
      page: { nextAfter: string | null; previousBefore: string | null; next: string | null };
    };
    expect(body.summary).toMatchObject({
      integrations: 3,
      states: { failing: 1, lagging: 2, quarantined: 1, paused: 0, 'not-found': 0, running: 0 },
      health: { ok: 1, failing: 1, lagging: 1 },
      oldestLag: { integrationId: FAILING, model: 'ats_jobs', lagSeconds: 24 * 3600 },
    });
    expect(body.page).toMatchObject({ nextAfter: null, previousBefore: null, next: null });
    const healthy = body.integrations.find((i) => i.id === HEALTHY);
    expect(healthy).toMatchObject({
      tool: 'personio',
      category: 'HRIS',
      state: 'ACTIVE',
      organizationName: 'Acme',
      health: 'ok',
      flags: ['quarantined'],
      modelCounts: { active: 2, synced: 2, failing: 0, skipped: 0 },
      maxLagSeconds: 300,
      lastError: null,
      latestRun: { kind: 'full', status: 'succeeded' },
    });
    const failing = body.integrations.find((i) => i.id === FAILING);
    expect(failing).toMatchObject({
      health: 'failing',
      flags: ['failing', 'lagging'],
      lastError: {
        model: 'ats_candidates',
        code: 'REMOTE.RATE_LIMIT_EXCEEDED',
        logUrl: 'https://app.kombo.dev/logs/abc',
      },
      latestRun: { status: 'partial' },
    });
  });

  it('GET /api/integrations/:id adds row counts and recent runs; unknown ids are 404', async () => {
    const res = await get(`/api/integrations/${encodeURIComponent(HEALTHY)}`, bearerAuth());
    const { integration } = (await res.json()) as DetailBody;
    expect(integration.models.find((m) => m.model === 'hris_employees')).toMatchObject({
      watermark: '2026-11-28T11:55:00.000Z',
      lagSeconds: 300,
      rows: { total: 3, deleted: 0 },
    });
    // Every model of its category is listed, synced or not.
    expect(integration.models.find((m) => m.model === 'hris_absences')).toMatchObject({
      lastSuccessAt: null,
      rows: { total: 0, deleted: 0 },
    });
    expect(integration.recentRuns).toHaveLength(1);
    expect(integration.recentRuns[0]).toMatchObject({
      trigger: 'manual',
      status: 'succeeded',
      totals: { upserted: 6 },
    });
    expect(typeof integration.recentRuns[0]?.durationSeconds).toBe('number');
    const missing = await get('/api/integrations/nope:1', bearerAuth());
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'INTEGRATION_NOT_FOUND', message: 'No such integration' },
    });
  });

  it('shows quarantined records: counts in the JSON API, badges, the detail page, the metrics gauge', async () => {
    const body = (await (await get('/api/integrations?filter=quarantined', bearerAuth())).json()) as ListBody;
    expect(body.integrations.map((i) => [i.id, i.quarantined])).toEqual([[HEALTHY, 1]]);
    const status = await (await get('/', basicAuth())).text();
    expect(status).toMatch(new RegExp(`<tr data-integration="${HEALTHY}"[\\s\\S]*?1 quarantined`));
    const res = await get(`/api/integrations/${encodeURIComponent(HEALTHY)}`, bearerAuth());
    const { integration } = (await res.json()) as DetailBody;
    expect(integration.models.filter((m) => m.quarantined > 0).map((m) => [m.model, m.quarantined])).toEqual([
      ['hris_groups', 1],
    ]);
    expect(integration.quarantinedRecords).toMatchObject([
      { model: 'hris_groups', recordId: 'g-poison', reasonCode: '22003', attempts: 1 },
    ]);
    expect(integration.quarantinedRecords[0]).not.toHaveProperty('recordText');
    const page = await (await get(`/integrations/${encodeURIComponent(HEALTHY)}`, basicAuth())).text();
    expect(page).toContain('Quarantined records (1)');
    expect(page).toMatch(/<tr data-quarantined="g-poison">[\s\S]*?value overflows numeric format &lt;i&gt;/);
    const metrics = await (await get('/metrics', bearerAuth())).text();
    expect(metrics).toMatch(
      /kombo_sync_quarantined_records\{[^}]*model="hris_groups"[^}]*reason_class="data"[^}]*\} 1/,
    );
  });

  it('renders the detail page with rows per model and runs', async () => {
    const page = await (await get(`/integrations/${encodeURIComponent(HEALTHY)}`, basicAuth())).text();
    expect(page).toMatch(/<tr data-model="hris_employees">[\s\S]*?<td class="num">3<\/td>/);
    expect(page).toContain('data-run=');
    expect((await get('/integrations/unknown', basicAuth())).status).toBe(404);
  });

  it('treats a malformed CSRF cookie as no token: the page renders with a fresh one, a POST gets 403', async () => {
    const cookie = 'kombo_sync_csrf=%E0%A4%A';
    const path = `/integrations/${encodeURIComponent(HEALTHY)}`;
    const page = await fetch(`${h.url}${path}`, { headers: { authorization: basicAuth(), cookie } });
    expect(page.status).toBe(200);
    expect(page.headers.get('set-cookie')).toMatch(/^kombo_sync_csrf=[\w-]+\.[\w-]+;/);
    expect(await page.text()).toMatch(/name="_csrf" value="[\w-]+\.[\w-]+"/);

    const jobsBefore = await h.queues.sync.count();
    const post = await fetch(`${h.url}${path}/sync`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        authorization: basicAuth(),
        'content-type': 'application/x-www-form-urlencoded',
        'sec-fetch-site': 'same-origin',
        cookie,
      },
      body: new URLSearchParams({ _csrf: '%E0%A4%A', mode: 'sync' }).toString(),
    });
    expect(post.status).toBe(403);
    expect(await post.text()).toContain('Missing or invalid CSRF token');
    expect(await h.queues.sync.count()).toBe(jobsBefore);
  });
});
