// The worker's HTTP server on real Redis and Postgres: /readyz names each dependency's state and turns 503 when
// one is down or a shutdown began; /healthz answers while the process serves; /metrics is served.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '@kombo-sync/db/testing';
import { createRedis, type RedisConnection } from '@kombo-sync/queue';
import { createWorkerHttpServer, type WorkerHttpDeps } from './create-worker-http-server.js';
import { testServices } from '@kombo-sync/config/testing';

const { databaseUrl: TEST_DATABASE_URL, redisUrl: TEST_REDIS_URL } = testServices();

describe('worker HTTP server', () => {
  let test: TestDatabase;
  let redis: RedisConnection;
  beforeAll(async () => {
    test = await createTestDatabase(TEST_DATABASE_URL, { shouldMigrate: false });
    redis = createRedis(TEST_REDIS_URL, { role: 'client' });
  });
  afterAll(async () => {
    await redis.quit();
    await test.drop();
  });

  async function serve(overrides: Partial<WorkerHttpDeps>) {
    const server = createWorkerHttpServer({
      serveMetrics: async (_req, res) => {
        res.setHeader('content-type', 'text/plain');
        res.status(200).end('kombo_sync_up 1\n');
      },
      pingRedis: () => redis.ping(),
      pingPostgres: () => test.database.pool.query('SELECT 1'),
      komboKey: 'accepted',
      isStopping: () => false,
      checkTimeoutMs: 500,
      ...overrides,
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return {
      get: async (path: string) => {
        const res = await fetch(`${base}${path}`);
        return {
          status: res.status,
          body: res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text(),
        };
      },
      close: () => new Promise((resolve) => server.close(resolve)),
    };
  }

  it('is ready with Redis and Postgres up, and says how the Kombo key check went', async () => {
    const http = await serve({ komboKey: 'unverified' });
    try {
      expect(await http.get('/readyz')).toEqual({
        status: 200,
        body: { status: 'ok', checks: { redis: 'ok', postgres: 'ok', komboKey: 'unverified' } },
      });
      expect(await http.get('/healthz')).toEqual({ status: 200, body: { ok: true } });
      expect(await http.get('/metrics')).toEqual({ status: 200, body: 'kombo_sync_up 1\n' });
      expect((await http.get('/nope')).status).toBe(404);
    } finally {
      await http.close();
    }
  });

  it('is not ready while Redis or Postgres does not answer, naming which; alive all the same', async () => {
    const downRedis = createRedis('redis://127.0.0.1:1', {
      role: 'client',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
    });
    downRedis.on('error', () => undefined);
    const http = await serve({
      pingRedis: () => downRedis.ping(),
      pingPostgres: () => new Promise(() => undefined),
    });
    try {
      expect(await http.get('/readyz')).toEqual({
        status: 503,
        body: { status: 'unavailable', checks: { redis: 'down', postgres: 'down', komboKey: 'accepted' } },
      });
      expect((await http.get('/healthz')).status).toBe(200);
    } finally {
      await http.close();
      downRedis.disconnect();
    }
  });

  it('is not ready once the shutdown began', async () => {
    const http = await serve({ isStopping: () => true });
    try {
      expect(await http.get('/readyz')).toMatchObject({ status: 503, body: { status: 'stopping' } });
    } finally {
      await http.close();
    }
  });
});
