// A real headless Chromium against a real dashboard: login, status page, Bull Board, "sync now", wrong credentials.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { completeIntent, createRedis, SYNC_QUEUE, takeIntent } from '@kombo-sync/queue';
import { QueueEvents, Worker } from 'bullmq';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { CREDENTIALS, startHarness, type DashboardHarness } from './testing/dashboard-harness.js';
import { launchChromium } from './testing/launch-chromium.js';
import { FAILING, HEALTHY, NEVER_SYNCED, NOW, seed } from './testing/seed.js';
import { testServices } from '@kombo-sync/config/testing';

const { redisUrl: TEST_REDIS_URL } = testServices();

const ARTIFACTS = fileURLToPath(new URL('../../../test-artifacts/', import.meta.url));

describe('dashboard in a headless browser', () => {
  let h: DashboardHarness;
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
    h = await startHarness({ now: () => NOW });
    await seed(h.db);
  });
  afterAll(async () => {
    await browser?.close();
    await h?.close();
  });

  it('logs in, shows, filters and searches integrations, opens Bull Board, runs "sync now" to completion', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: CREDENTIALS.username, password: CREDENTIALS.password },
    });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);

    const status = await page.goto(`${h.url}/`);
    expect(status?.status()).toBe(200);
    for (const id of [HEALTHY, FAILING, NEVER_SYNCED]) {
      await page.locator(`tr[data-integration="${id}"]`).waitFor();
    }
    expect(await page.locator(`tr[data-integration="${HEALTHY}"]`).getAttribute('data-health')).toBe('ok');
    expect(await page.locator(`tr[data-integration="${HEALTHY}"]`).innerText()).toContain('2/2 synced');
    expect(await page.locator(`tr[data-integration="${FAILING}"]`).innerText()).toContain(
      'REMOTE.RATE_LIMIT_EXCEEDED',
    );
    // The summary's count links to its filter; the search form keeps it.
    await page.locator('a[data-count="failing"]').click();
    await page.locator(`tr[data-integration="${FAILING}"]`).waitFor();
    expect(await page.locator('tr[data-integration]').count()).toBe(1);
    await page.locator('form.search input[name="q"]').fill('acme');
    await page.locator('form.search button').click();
    await page.locator('#integrations td[colspan]').waitFor();
    expect(new URL(page.url()).searchParams.get('filter')).toBe('failing');
    await page.goto(`${h.url}/?q=acme`);
    await page.locator(`tr[data-integration="${HEALTHY}"]`).waitFor();
    expect(await page.locator('tr[data-integration]').count()).toBe(1);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });

    await page.goto(`${h.url}/queues`);
    await page.getByText(SYNC_QUEUE, { exact: true }).first().waitFor();

    // "Sync now" on the detail page: a real form POST with the browser's cookie, token and Origin.
    await page.goto(`${h.url}/integrations/${encodeURIComponent(HEALTHY)}`);
    await page.locator('button[data-action="sync"]').click();
    await page.locator('#flash').waitFor();
    const jobs = await h.queues.sync.getJobs(['waiting', 'prioritized', 'delayed', 'active']);
    expect(jobs.map((job) => job.data)).toEqual([expect.objectContaining({ integrationId: HEALTHY })]);
    const jobId = jobs[0]?.id ?? '';

    await page.goto(`${h.url}/queues/queue/${SYNC_QUEUE}?status=waiting`);
    await page.getByText(`#${jobId}`).first().waitFor();

    // apps/worker exposes no factory yet: a BullMQ Worker with a no-op processor (that takes and completes the
    // intent as the real worker does) completes the job.
    const connection = createRedis(TEST_REDIS_URL, { role: 'worker' });
    const eventsConnection = createRedis(TEST_REDIS_URL, { role: 'worker' });
    const events = new QueueEvents(SYNC_QUEUE, { connection: eventsConnection, prefix: h.prefix });
    await events.waitUntilReady();
    const worker = new Worker(
      SYNC_QUEUE,
      async (job) => {
        const intent = await takeIntent(h.redis, h.prefix, job.data.integrationId);
        if (intent) await completeIntent(h.redis, h.prefix, job.data.integrationId, intent.takeId);
        return { triggers: intent?.triggers };
      },
      { connection, prefix: h.prefix },
    );
    try {
      const job = await h.queues.sync.getJob(jobId);
      expect(await job?.waitUntilFinished(events, 15_000)).toEqual({ triggers: ['manual'] });
    } finally {
      await worker.close();
      await events.close();
      await Promise.all([connection.quit(), eventsConnection.quit()]);
    }
    await page.goto(`${h.url}/queues/queue/${SYNC_QUEUE}?status=completed`);
    await page.getByText(`#${jobId}`).first().waitFor();
    await context.close();
  });

  it('refuses wrong credentials', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: CREDENTIALS.username, password: 'wrong' },
    });
    const page = await context.newPage();
    const response = await page.goto(`${h.url}/`);
    expect(response?.status()).toBe(401);
    expect(await page.locator('tr[data-integration]').count()).toBe(0);
    await context.close();
  });
});
