import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { MetricsResponse } from '@kombo-sync/metrics';

/** What the worker's readiness reports besides its connections. */
export type KomboKeyStatus = 'accepted' | 'unverified';

export interface WorkerHttpDeps {
  /** Serves `/metrics` (packages/metrics `metricsHandler`). */
  serveMetrics(req: IncomingMessage, res: MetricsResponse): Promise<void>;
  /** Resolves when Redis answers (a PING). */
  pingRedis(): Promise<unknown>;
  /** Resolves when Postgres answers (a `SELECT 1`). */
  pingPostgres(): Promise<unknown>;
  /**
   * The start's `GET /check-api-key`: `accepted`, or `unverified` when Kombo could not be reached then (a worker
   * whose key Kombo rejects never starts). Reported, not required: a Kombo outage is waited out by the jobs.
   */
  komboKey: KomboKeyStatus;
  /** True once SIGTERM began the shutdown: the worker takes no new job, so it is no longer ready. */
  isStopping(): boolean;
  /** Longest wait for each connection check; default 2000 ms. */
  checkTimeoutMs?: number;
}

const within = (promise: Promise<unknown>, ms: number) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);

/**
 * The worker's HTTP server (on `WORKER_METRICS_PORT`): `GET /metrics`; `GET /healthz`, 200 while the process
 * serves (liveness); `GET /readyz`, 200 `{status: 'ok', checks}` when Redis and Postgres answer within the timeout
 * and no shutdown has begun, else 503 `{status: 'unavailable' | 'stopping', checks}`. `checks` names each
 * dependency's state (`redis`, `postgres`: `ok`/`down`; `komboKey`: `accepted`/`unverified`), never an address or
 * an error text. Anything else is 404. Not listening yet: the caller calls `listen`.
 */
export function createWorkerHttpServer(deps: WorkerHttpDeps): Server {
  const timeoutMs = deps.checkTimeoutMs ?? 2_000;
  const json = (res: ServerResponse, status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  async function readyz(res: ServerResponse): Promise<void> {
    const [redis, postgres] = await Promise.allSettled([
      within(deps.pingRedis(), timeoutMs),
      within(deps.pingPostgres(), timeoutMs),
    ]);
    const checks = {
      redis: redis.status === 'fulfilled' ? 'ok' : 'down',
      postgres: postgres.status === 'fulfilled' ? 'ok' : 'down',
      komboKey: deps.komboKey,
    };
    const status = deps.isStopping()
      ? 'stopping'
      : checks.redis === 'ok' && checks.postgres === 'ok'
        ? 'ok'
        : 'unavailable';
    json(res, status === 'ok' ? 200 : 503, { status, checks });
  }

  return createServer((req, res) => {
    const path = req.url?.split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    if (path === '/healthz') {
      json(res, 200, { ok: true });
      return;
    }
    if (path === '/readyz') {
      void readyz(res);
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const response: MetricsResponse = {
      setHeader: (name, value) => res.setHeader(name, value),
      status(code) {
        res.statusCode = code;
        return response;
      },
      end: (body) => res.end(body),
    };
    void deps.serveMetrics(req, response);
  });
}
