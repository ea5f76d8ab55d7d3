// Each Kombo environment's request budget binds on its own, shown on real processes: the ingress process with a
// named environment `us` (its own path and secret), a worker process with the default environment ("EU") at one
// budget and `us` at a much smaller one, and an EU and a US sandbox that both have an integration of the same Kombo
// id. Each sandbox's requests are timestamped as they arrive, and every sliding 1-s window is checked against its
// own environment's token bucket (burst + rate × 1 s): a rate-limit correctness check, not a speed assertion.
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { integrationKey, signWebhook } from '@kombo-sync/kombo';
import { intentKeys, laneQueues, peekIntent } from '@kombo-sync/queue';
import { events } from '@kombo-sync/ingress/testing';
import { createSandbox, type Sandbox } from '@kombo-sync/sandbox/testing';
import {
  createHarness,
  HRIS_TEST_MODELS,
  spawnWorkerProcess,
  type WorkerHarness,
} from '@kombo-sync/worker/testing';
import { freePort } from '../scripts/local-services.mjs';
import { Fleet, waitForHttp } from './support/fleet.js';
import { runCli } from './support/run-cli.js';

const EU_SECRET = 'whsec_eu_process_secret';
const US_SECRET = 'whsec_us_process_secret';
const US_KEY = 'us-process-key';
const SAME_ID = 'personio:SameIdBothRegionsProc';
const US_KEY_OF = integrationKey('us', SAME_ID);
/**
 * Requests per second of each environment's budget; each burst is its rate rounded up (no burst variable set). Low
 * rates keep the check clear of delivery jitter: right after a burst, only requests bunched by more than 1/rate s
 * could crowd one window past the bound.
 */
const EU_RATE = 5;
const US_RATE = 2;

/** A sandbox behind a server of our own that timestamps every Kombo API request as it arrives. */
interface RecordedSandbox {
  url: string;
  arrivalsMs: number[];
  close(): Promise<void>;
}

async function recordArrivals(sandbox: Sandbox): Promise<RecordedSandbox> {
  const arrivalsMs: number[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/v1/')) arrivalsMs.push(performance.now());
    void sandbox.app(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/v1`,
    arrivalsMs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The busiest half-open window [t, t + windowMs) over the arrivals: its request count and start. */
function peakWindow(arrivalsMs: readonly number[], windowMs = 1_000): { count: number; startMs: number } {
  const sorted = [...arrivalsMs].sort((a, b) => a - b);
  let peak = { count: 0, startMs: sorted[0] ?? 0 };
  let end = 0;
  for (let start = 0; start < sorted.length; start++) {
    const from = sorted[start] ?? 0;
    while (end < sorted.length && (sorted[end] ?? 0) < from + windowMs) end++;
    if (end - start > peak.count) peak = { count: end - start, startMs: from };
  }
  return peak;
}

let h: WorkerHarness;
let us: Sandbox;
let euApi: RecordedSandbox;
let usApi: RecordedSandbox;
let worker: ChildProcess;
let ingressUrl: string;
let metricsUrl: string;
const fleet = new Fleet();
// Arrivals are timestamped by this process's event loop: a stall of S ms bunches requests sent S ms apart.
const loopDelay = monitorEventLoopDelay({ resolution: 10 });

beforeAll(async () => {
  h = await createHarness();
  us = createSandbox({ apiKey: US_KEY, seed: 99 });
  [euApi, usApi] = await Promise.all([recordArrivals(h.sandbox), recordArrivals(us)]);
  const [ingressPort, metricsPort] = [await freePort(), await freePort()];
  ingressUrl = `http://127.0.0.1:${ingressPort}`;
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const ingress = fleet.start({
    name: 'ingress',
    entry: 'apps/ingress/src/main.ts',
    env: {
      REDIS_URL: h.redisUrl,
      QUEUE_PREFIX: h.prefix,
      INGRESS_PORT: String(ingressPort),
      KOMBO_WEBHOOK_SECRETS: EU_SECRET,
      KOMBO_ENVIRONMENTS: 'us',
      KOMBO_US_WEBHOOK_SECRETS: US_SECRET,
      LOG_LEVEL: 'warn',
    },
  });
  worker = spawnWorkerProcess(h, {
    env: {
      KOMBO_API_URL: euApi.url,
      KOMBO_MAX_REQUESTS_PER_SECOND: String(EU_RATE),
      KOMBO_ENVIRONMENTS: 'us',
      KOMBO_US_API_URL: usApi.url,
      KOMBO_US_API_KEY: US_KEY,
      KOMBO_US_MAX_REQUESTS_PER_SECOND: String(US_RATE),
      WORKER_METRICS_PORT: String(metricsPort),
      // Both first syncs at once (one onboarding slot would run them one after the other).
      WORKER_ONBOARDING_CONCURRENCY: '2',
      SYNC_PAGE_SIZE: '10',
    },
  });
  await Promise.all([
    waitForHttp(`${ingressUrl}/healthz`, { proc: ingress, timeoutMs: 60_000 }),
    waitForHttp(metricsUrl, { timeoutMs: 60_000 }),
  ]);
}, 90_000);

afterAll(async () => {
  loopDelay.disable();
  if (worker && worker.exitCode === null) {
    worker.kill('SIGKILL');
    await once(worker, 'exit');
  }
  await fleet.stopAll();
  await h.close();
  await Promise.all([euApi.close(), usApi.close()]);
  us.core.close();
});

/** Posts a webhook to the ingress process, signed with `secret`; resolves with the status. */
async function post(path: string, body: unknown, secret: string): Promise<number> {
  const raw = JSON.stringify(body);
  const res = await fetch(`${ingressUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-kombo-signature': signWebhook(raw, secret) },
    body: raw,
  });
  await res.arrayBuffer();
  return res.status;
}

/** Jobs in any lane, in any state but finished. */
async function queuedJobs(): Promise<number> {
  const counts = await Promise.all(
    laneQueues(h.queues).map((lane) =>
      lane.getJobCountByTypes('waiting', 'prioritized', 'delayed', 'active'),
    ),
  );
  return counts.reduce((sum, n) => sum + n, 0);
}

describe('two environments on real processes, each on its own budget', () => {
  it('converges both mirrors apart, each sandbox within its own budget; status and /metrics show both', async () => {
    h.sandbox.createIntegration({ id: SAME_ID, sizes: { employees: 150 } });
    us.createIntegration({ id: SAME_ID, sizes: { employees: 60 } });
    const created = events.integrationCreated(SAME_ID);

    // Signed with US's secret, posted to the EU path: refused, nothing queued.
    expect(await post('/webhooks/kombo', created, US_SECRET)).toBe(401);
    expect(await queuedJobs()).toBe(0);
    expect(await h.redis.scard(intentKeys.dirty(h.prefix))).toBe(0);
    expect(await peekIntent(h.redis, h.prefix, SAME_ID)).toBeNull();
    expect(await peekIntent(h.redis, h.prefix, US_KEY_OF)).toBeNull();

    loopDelay.enable();
    expect(await post('/webhooks/kombo/us', created, US_SECRET)).toBe(200);
    expect(await post('/webhooks/kombo', created, EU_SECRET)).toBe(200);
    await h.waitForIdle(120_000);
    loopDelay.disable();

    await h.expectExact(SAME_ID, HRIS_TEST_MODELS);
    await h.expectExact(US_KEY_OF, HRIS_TEST_MODELS, { sandbox: us, komboId: SAME_ID });

    // Each sandbox within its own environment's token bucket in every 1-s window (the burst is the rate rounded
    // up); widened only by the longest stall this process's event loop had while timestamping.
    const stallS = loopDelay.max / 1e9;
    const allowed = (rate: number) => Math.floor(Math.ceil(rate) + rate * (1 + stallS));
    const euPeak = peakWindow(euApi.arrivalsMs);
    const usPeak = peakWindow(usApi.arrivalsMs);
    const seen = { eu: euPeak.count, us: usPeak.count, stallMs: Math.round(stallS * 1000) };
    expect({ ...seen, isEuWithin: euPeak.count <= allowed(EU_RATE) }).toMatchObject({ isEuWithin: true });
    expect({ ...seen, isUsWithin: usPeak.count <= allowed(US_RATE) }).toMatchObject({ isUsWithin: true });
    // US's small budget did not hold EU to it: EU's busiest second, while US was still sending, went past US's.
    expect({ ...seen, isEuPastUs: euPeak.count > allowed(US_RATE) }).toMatchObject({ isEuPastUs: true });
    const usFirst = Math.min(...usApi.arrivalsMs);
    const usLast = Math.max(...usApi.arrivalsMs);
    expect(euPeak.startMs + 1_000).toBeGreaterThan(usFirst);
    expect(euPeak.startMs).toBeLessThan(usLast);

    // The CLI process shows both integrations with their environment.
    const status = await runCli(h, ['status', '--all', '--json']);
    expect(status.code).toBe(0);
    const { integrations } = JSON.parse(status.stdout) as {
      integrations: { id: string; environment: string }[];
    };
    expect(integrations.map(({ id, environment }) => ({ id, environment }))).toEqual([
      { id: SAME_ID, environment: 'default' },
      { id: US_KEY_OF, environment: 'us' },
    ]);

    // The worker's /metrics: both environments' requests and budgets, each under its own label.
    const metrics = await (await fetch(metricsUrl)).text();
    for (const [environment, rate] of [
      ['default', EU_RATE],
      ['us', US_RATE],
    ] as const) {
      const series = (name: string, tail: string) =>
        new RegExp(`kombo_sync_${name}\\{[^}]*environment="${environment}"[^}]*${tail}`);
      expect(metrics).toMatch(series('kombo_requests_total', 'outcome="ok"'));
      expect(metrics).toMatch(series('kombo_budget_wait_seconds_count', '\\} [1-9]'));
      expect(metrics).toMatch(series('kombo_budget_rate', `\\} ${rate}\n`));
    }
  }, 180_000);
});
