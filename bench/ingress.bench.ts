/**
 * Ingress throughput: a bare Express 5 handler (reads the body, answers 200) against the full webhook path
 * (signature check, replay check, intent merge, coalesced queue.add) on loopback, with signed `data-changed`
 * webhooks spread over many integrations. Each server runs in its own child process, autocannon in this one.
 * Run alone: `npx tsx bench/ingress.bench.ts` (REDIS_URL, default redis://127.0.0.1:6379).
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Redis } from 'ioredis';
import { buildConfig, tracingSettings } from '@kombo-sync/config';
import { signWebhook } from '@kombo-sync/kombo';
import { createLogger } from '@kombo-sync/logger';
import { createRedis, createSignalQueue, createSyncQueues } from '@kombo-sync/queue';
import { startTracing } from '@kombo-sync/tracing';
import { createIngressApp, ingressConfig } from '@kombo-sync/ingress/testing';
import { INGRESS_NODE_FLAGS } from '../scripts/node-options.mjs';
import { memoryOf } from './fleet.js';
import { median, spawnApp, stopChild } from './services.js';

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
// autocannon ships no types; load it untyped.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export interface LoadFigures {
  /** Requests per second. */
  rps: number;
  /** Latency percentiles, ms. */
  p50: number;
  p99: number;
}

const SECRET = 'bench-webhook-secret';
const INTEGRATIONS = 500;
const CHANGED = [
  'hris_employees',
  'hris_absences',
  'hris_employments',
  'ats_jobs',
  'ats_candidates',
  'ats_users',
];

type ServeMode = 'bare' | 'full' | 'traced';

/**
 * Child-process side: serves `bare`, `full` or `traced` (full with the OpenTelemetry SDK started as main.ts does,
 * every span exported over OTLP/HTTP to `collectorUrl`) on a free port and prints the port.
 */
async function serve(mode: ServeMode, redisUrl: string, prefix: string, collectorUrl = ''): Promise<void> {
  if (mode === 'traced') {
    await startTracing(buildConfig(tracingSettings, { otlpEndpoint: collectorUrl }), 'bench-ingress');
  }
  let app: express.Express;
  if (mode === 'bare') {
    app = express();
    app.post('/webhooks/kombo', express.raw({ type: () => true, limit: 1024 * 1024 }), (_req, res) => {
      res.json({ ok: true });
    });
  } else {
    const redis = createRedis(redisUrl, { role: 'queue' });
    await once(redis, 'ready');
    const queues = createSyncQueues(redis, { prefix });
    await Promise.all([queues.delta.waitUntilReady(), queues.bulk.waitUntilReady()]);
    const logger = createLogger({ name: 'bench', level: 'warn', format: 'json' });
    const config = ingressConfig({
      webhookSecrets: ['old-secret', SECRET],
      replayTtlSeconds: 3_600,
      queuePrefix: prefix,
    });
    app = createIngressApp({
      redis,
      queues,
      signals: createSignalQueue(redis, { prefix }),
      config,
      logger,
    });
  }
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.stdout.write(`PORT ${(server.address() as { port: number }).port}\n`);
}

/** One server child with the ingress's production V8 flags (the same for every mode); stop() gives its peak RSS. */
async function startServer(mode: ServeMode, redisUrl: string, prefix: string, collectorUrl = '') {
  const { child, match } = await spawnApp(
    'bench/ingress.bench.ts',
    {
      BENCH_INGRESS_SERVE: mode,
      REDIS_URL: redisUrl,
      BENCH_INGRESS_PREFIX: prefix,
      BENCH_INGRESS_COLLECTOR: collectorUrl,
    },
    /PORT (\d+)/,
    { nodeFlags: INGRESS_NODE_FLAGS },
  );
  return {
    url: `http://127.0.0.1:${match[1]}`,
    /** Stops the server; resolves to its peak RSS in MiB. */
    async stop(): Promise<number> {
      const { peakMiB } = memoryOf(child.pid as number);
      await stopChild(child);
      return peakMiB;
    },
  };
}

let sequence = 0;
/** Builds a fresh signed data-changed webhook (unique event id, rotating integration and models). */
function signedRequest(request: Record<string, unknown>) {
  const n = sequence++;
  const body = JSON.stringify({
    id: `evt-${n}-${randomUUID()}`,
    type: 'data-changed',
    data: {
      integration_id: `bench-int-${n % INTEGRATIONS}`,
      integration_tool: 'personio',
      integration_category: 'HRIS',
      changed_models: [{ name: CHANGED[n % CHANGED.length] }, { name: CHANGED[(n * 7) % CHANGED.length] }],
    },
  });
  return {
    ...request,
    body,
    headers: { 'content-type': 'application/json', 'x-kombo-signature': signWebhook(body, SECRET) },
  };
}

async function load(url: string, durationS: number, connections: number): Promise<LoadFigures> {
  const result = await autocannon({
    url,
    connections,
    duration: durationS,
    requests: [{ method: 'POST', path: '/webhooks/kombo', setupRequest: signedRequest }],
  });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`bench saw ${result.non2xx} non-2xx answers and ${result.errors} errors`);
  }
  return { rps: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99 };
}

function medianFigures(runs: LoadFigures[]): LoadFigures {
  return {
    rps: Math.round(median(runs.map((r) => r.rps))),
    p50: median(runs.map((r) => r.p50)),
    p99: median(runs.map((r) => r.p99)),
  };
}

/**
 * Starts both servers, warms each up, then alternates `rounds` (default 3) load phases of `durationS` (default 5)
 * seconds each at `connections` (default 40), bare then full, so drift on a shared machine hits both alike.
 * Figures are the medians over the rounds (every round is in `rounds`); ratio = full / bare rps.
 */
export async function benchIngress(opts: {
  redisUrl: string;
  durationS?: number;
  rounds?: number;
  connections?: number;
  /** Also load a third server with tracing on, exporting to an OTLP/HTTP collector in this process. Default false. */
  withTracing?: boolean;
}): Promise<{
  bare: LoadFigures;
  full: LoadFigures;
  ratio: number;
  rounds: { bare: LoadFigures; full: LoadFigures; traced?: LoadFigures }[];
  /** With `withTracing`: the traced server's figures, its rps over full's, and the span batches the collector got. */
  traced?: { figures: LoadFigures; ratio: number; exportRequests: number };
  /** Peak RSS of each server process over the whole run, MiB. */
  peakRssMiB: { bare: number; full: number };
}> {
  const { redisUrl, durationS = 5, rounds = 3, connections = 40, withTracing = false } = opts;
  const prefix = `{bench-ingress-${randomUUID().slice(0, 8)}}`;
  const servers: Awaited<ReturnType<typeof startServer>>[] = [];
  const collector = withTracing ? await startCollector() : undefined;
  try {
    const bare = await startServer('bare', redisUrl, prefix);
    servers.push(bare);
    const full = await startServer('full', redisUrl, prefix);
    servers.push(full);
    const traced = collector ? await startServer('traced', redisUrl, prefix, collector.url) : undefined;
    if (traced) servers.push(traced);
    for (const server of servers) await load(server.url, 2, connections); // warm-up (JIT, sockets, Lua cache)
    const results: { bare: LoadFigures; full: LoadFigures; traced?: LoadFigures }[] = [];
    for (let round = 0; round < rounds; round++) {
      results.push({
        bare: await load(bare.url, durationS, connections),
        full: await load(full.url, durationS, connections),
        ...(traced ? { traced: await load(traced.url, durationS, connections) } : {}),
      });
    }
    servers.length = 0;
    const peakRssMiB = { bare: Math.round(await bare.stop()), full: Math.round(await full.stop()) };
    await traced?.stop();
    const bareFigures = medianFigures(results.map((r) => r.bare));
    const fullFigures = medianFigures(results.map((r) => r.full));
    const tracedFigures = traced ? medianFigures(results.map((r) => r.traced as LoadFigures)) : undefined;
    return {
      bare: bareFigures,
      full: fullFigures,
      ratio: Number((fullFigures.rps / bareFigures.rps).toFixed(2)),
      rounds: results,
      peakRssMiB,
      ...(tracedFigures && collector
        ? {
            traced: {
              figures: tracedFigures,
              ratio: Number((tracedFigures.rps / fullFigures.rps).toFixed(2)),
              exportRequests: collector.requests(),
            },
          }
        : {}),
    };
  } finally {
    for (const server of servers) await server.stop();
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
    await redis.quit();
    await collector?.close();
  }
}

/** A stand-in OTLP/HTTP collector: accepts every export (200) and counts the requests. */
async function startCollector() {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const isMain = process.argv[1] === fileURLToPath(import.meta.url);
const serveMode = process.env['BENCH_INGRESS_SERVE'];
if (isMain && (serveMode === 'bare' || serveMode === 'full' || serveMode === 'traced')) {
  await serve(
    serveMode,
    process.env['REDIS_URL'] ?? '',
    process.env['BENCH_INGRESS_PREFIX'] ?? '',
    process.env['BENCH_INGRESS_COLLECTOR'] ?? '',
  );
} else if (isMain) {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const figures = await benchIngress({
    redisUrl,
    durationS: Number(process.env.BENCH_DURATION_S ?? 5),
    withTracing: process.env['BENCH_INGRESS_TRACING'] === '1',
  });
  for (const [i, r] of figures.rounds.entries()) {
    process.stdout.write(
      `round ${i + 1}: bare ${r.bare.rps} req/s p99 ${r.bare.p99} ms, full ${r.full.rps} req/s p99 ${r.full.p99} ms\n`,
    );
  }
  process.stdout.write(
    `bare: ${figures.bare.rps} req/s p50 ${figures.bare.p50} ms p99 ${figures.bare.p99} ms\n` +
      `full: ${figures.full.rps} req/s p50 ${figures.full.p50} ms p99 ${figures.full.p99} ms\n` +
      `ratio full/bare: ${figures.ratio} (target >= 0.6; p99 target < 20 ms)\n` +
      `peak RSS: bare ${figures.peakRssMiB.bare} MiB, full ${figures.peakRssMiB.full} MiB\n`,
  );
  if (figures.traced) {
    process.stdout.write(
      `traced: ${figures.traced.figures.rps} req/s p50 ${figures.traced.figures.p50} ms p99 ` +
        `${figures.traced.figures.p99} ms; traced/full ${figures.traced.ratio}; ` +
        `${figures.traced.exportRequests} OTLP export requests\n`,
    );
  }
}
