/**
 * Ingress throughput: a bare Express 5 handler (reads the body, answers 200) against the full webhook path
 * (signature check, replay check, intent merge, coalesced queue.add) on loopback, with signed `data-changed`
 * webhooks spread over many integrations. Each server runs in its own child process, autocannon in this one.
 * Run alone: `npx tsx bench/ingress.bench.ts` (REDIS_URL, default redis://127.0.0.1:6379).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Redis } from 'ioredis';
import { signWebhook } from '@kombo-sync/kombo';
import { createLogger } from '@kombo-sync/logger';
import { createRedis, createSyncQueue } from '@kombo-sync/queue';
import { createIngressApp } from '../apps/ingress/src/app.js';

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

/** Child-process side: serves `bare` or `full` on a free port and prints the port. */
async function serve(mode: 'bare' | 'full', redisUrl: string, prefix: string): Promise<void> {
  let app: express.Express;
  if (mode === 'bare') {
    app = express();
    app.post('/webhooks/kombo', express.raw({ type: () => true, limit: 1024 * 1024 }), (_req, res) => {
      res.json({ ok: true });
    });
  } else {
    const redis = createRedis(redisUrl, { role: 'queue' });
    await once(redis, 'ready');
    const queue = createSyncQueue(redis, { prefix });
    await queue.waitUntilReady();
    const logger = createLogger({ name: 'bench', level: 'warn', format: 'json' });
    const config = {
      webhookSecrets: ['old-secret', SECRET],
      bodyLimitBytes: 1024 * 1024,
      queueTimeoutMs: 2_000,
      replayTtlSeconds: 3_600,
      queuePrefix: prefix,
    };
    app = createIngressApp({ redis, queue, config, logger });
  }
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  process.stdout.write(`PORT ${(server.address() as { port: number }).port}\n`);
}

async function startServer(mode: 'bare' | 'full', redisUrl: string, prefix: string) {
  const child: ChildProcess = spawn(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--serve', mode, redisUrl, prefix],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /PORT (\d+)/.exec(out);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bench server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
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

async function measure(
  mode: 'bare' | 'full',
  redisUrl: string,
  prefix: string,
  durationS: number,
  connections: number,
) {
  const server = await startServer(mode, redisUrl, prefix);
  try {
    await load(server.url, Math.min(2, durationS), connections); // warm-up (JIT, connections, Lua cache)
    return await load(server.url, durationS, connections);
  } finally {
    await server.stop();
  }
}

/** Runs both servers for `durationS` (default 10) each at `connections` (default 40); ratio = full / bare rps. */
export async function benchIngress(opts: {
  redisUrl: string;
  durationS?: number;
  connections?: number;
}): Promise<{
  bare: LoadFigures;
  full: LoadFigures;
  ratio: number;
}> {
  const { redisUrl, durationS = 10, connections = 40 } = opts;
  const prefix = `{bench-ingress-${randomUUID().slice(0, 8)}}`;
  try {
    const bare = await measure('bare', redisUrl, prefix, durationS, connections);
    const full = await measure('full', redisUrl, prefix, durationS, connections);
    return { bare, full, ratio: Number((full.rps / bare.rps).toFixed(2)) };
  } finally {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 1_000) await redis.del(...keys.slice(i, i + 1_000));
    await redis.quit();
  }
}

const isMain = process.argv[1] === fileURLToPath(import.meta.url);
if (isMain && process.argv[2] === '--serve') {
  await serve(process.argv[3] as 'bare' | 'full', process.argv[4] ?? '', process.argv[5] ?? '');
} else if (isMain) {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const figures = await benchIngress({ redisUrl, durationS: Number(process.env.BENCH_DURATION_S ?? 10) });
  process.stdout.write(
    `bare: ${figures.bare.rps} req/s p50 ${figures.bare.p50} ms p99 ${figures.bare.p99} ms\n` +
      `full: ${figures.full.rps} req/s p50 ${figures.full.p50} ms p99 ${figures.full.p99} ms\n` +
      `ratio full/bare: ${figures.ratio} (target >= 0.6; p99 target < 20 ms)\n`,
  );
}
