// The dashboard in a real browser over a real fleet: sandbox, worker, Postgres, Redis. Pressing "sync now" runs a
// real sync whose completed run then shows on the page.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns } from '@kombo-sync/db';
import { createLogger } from '@kombo-sync/logger';
import { createMetrics } from '@kombo-sync/metrics';
import { createChangesQueue } from '@kombo-sync/queue';
import type { Queue } from 'bullmq';
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { createDashboardApp, dashboardConfig } from '@kombo-sync/dashboard/testing';
import { launchChromium } from '@kombo-sync/dashboard/testing';
import { createHarness, HRIS_TEST_MODELS, type WorkerHarness } from '@kombo-sync/worker/testing';

const CREDENTIALS = { username: 'ops', password: 'e2e-secret' };
const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname;

describe('dashboard over a running fleet, in headless Chromium', () => {
  let h: WorkerHarness;
  let browser: Browser;
  let server: Server;
  let changes: Queue;
  let url: string;

  beforeAll(async () => {
    browser = await launchChromium();
    h = await createHarness();
    h.startWorker();
    changes = createChangesQueue(h.redis, { prefix: h.prefix });
    const app = createDashboardApp({
      db: h.database,
      redis: h.redis,
      queues: { sync: h.queues.delta, onboarding: h.queues.onboarding, bulk: h.queues.bulk, changes },
      config: dashboardConfig({
        queuePrefix: h.prefix,
        dashboardUsername: CREDENTIALS.username,
        dashboardPassword: CREDENTIALS.password,
        nodeEnv: 'test',
      }),
      logger: createLogger({ name: 'dashboard-e2e', level: 'silent' }),
      metrics: createMetrics({ service: 'dashboard' }),
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await browser?.close();
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    await changes?.close();
    await h?.close();
  });

  it('"sync now" runs a real sync of the changed data and the page shows the completed run', async () => {
    const { id } = h.sandbox.createIntegration({ tool: 'personio', sizes: { employees: 40 } });
    await h.trigger(id, {
      created: {
        id,
        tool: 'personio',
        category: 'HRIS',
        end_user: { organization_name: 'Acme', origin_id: null },
      },
      full: true,
    });
    await h.waitForIdle();
    const [firstRun] = await getRecentRuns(h.database, id, 1);
    h.sandbox.mutate(id, { updates: 3, deletes: 1 });

    const context = await browser.newContext({ httpCredentials: CREDENTIALS });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    expect((await page.goto(`${url}/`))?.status()).toBe(200);
    await page.locator(`tr[data-integration="${id}"]`).waitFor();

    await page.goto(`${url}/integrations/${encodeURIComponent(id)}`);
    for (const model of HRIS_TEST_MODELS) await page.locator(`tr[data-model="${model}"]`).waitFor();
    await page.locator('button[data-action="sync"]').click();
    await page.locator('#flash').waitFor();
    await h.waitForIdle();

    await page.reload();
    const runs = page.locator('tr[data-run]');
    const newest = runs.first();
    expect(Number(await newest.getAttribute('data-run'))).toBeGreaterThan(firstRun!.id);
    expect(await newest.innerText()).toMatch(/manual[\s\S]*succeeded/);
    await h.expectExact(id, HRIS_TEST_MODELS);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard-integration.png`, fullPage: true });

    await page.goto(`${url}/queues`);
    await page.getByText('kombo-sync', { exact: true }).first().waitFor();
    await context.close();
  });
});
