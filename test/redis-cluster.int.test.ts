// The fleet on a real Redis Cluster (three local masters, scripts/local-services.mjs): the sandbox's signed
// webhooks go to the ingress, a worker process (apps/worker/src/main.ts, so REDIS_URL's validation and
// createRedis too) syncs them into Postgres, and the dashboard reads and enqueues, all through ioredis' Cluster
// client. The fleet's prefix is chosen so its slot lives on a master that is not the first seed node: a
// standalone client there gets MOVED, the Cluster client follows it, BullMQ's scripts and the intent scripts
// (recordIntent in the ingress, takeIntent/completeIntent in the worker) and the request budget's run on the owner
// of the slot.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns } from '@kombo-sync/db';
import { createLogger } from '@kombo-sync/logger';
import { createMetrics } from '@kombo-sync/metrics';
import {
  createChangesQueue,
  createRedis,
  createSyncQueues,
  intentKeys,
  peekIntent,
  SYNC_QUEUE,
  type RedisConnection,
} from '@kombo-sync/queue';
import { Cluster, Redis } from 'ioredis';
import {
  cliConfig,
  connectRedis,
  createServices,
  describeRedisUrl,
  ServiceUnreachableError,
} from '@kombo-sync/cli/testing';
import { createDashboardApp, dashboardConfig } from '@kombo-sync/dashboard/testing';
import { SECRET, startHarness as startIngress } from '@kombo-sync/ingress/testing';
import { canConnect, startRedisCluster, type LocalRedisCluster } from '../scripts/local-services.mjs';
import {
  createHarness,
  HRIS_TEST_MODELS,
  spawnWorkerProcess,
  type WorkerHarness,
} from '@kombo-sync/worker/testing';

const TOKEN = 'cluster-test-token';

let cluster: LocalRedisCluster;
/** Standalone clients of each master, in creation order (the first is the first seed node of REDIS_URL). */
const nodes: Redis[] = [];

beforeAll(async () => {
  cluster = await startRedisCluster();
  for (const node of cluster.nodes) nodes.push(new Redis(node.url, { maxRetriesPerRequest: 0 }));
}, 30_000);

afterAll(async () => {
  for (const node of nodes) node.disconnect();
  await cluster?.stop();
});

/** A fresh hash-tagged prefix whose slot the first seed node does not own: it answers MOVED for its keys. */
async function prefixOffTheFirstNode(): Promise<string> {
  for (;;) {
    const prefix = `{kc-${randomBytes(4).toString('hex')}}`;
    const moved = await nodes[0]!.get(`${prefix}:probe`).then(
      () => false,
      (err: unknown) => err instanceof Error && err.message.startsWith('MOVED'),
    );
    if (moved) return prefix;
  }
}

/** Keys matching `pattern` on each master, asked one node at a time. */
async function keysPerNode(pattern: string): Promise<string[][]> {
  return Promise.all(nodes.map((node) => node.keys(pattern)));
}

describe('Redis Cluster', () => {
  it('createRedis returns a Cluster client for a redis+cluster:// URL, with BullMQ-safe options per role', async () => {
    const worker = createRedis(cluster.url, { role: 'worker' });
    const queue = createRedis(cluster.url, { role: 'queue' });
    try {
      expect(worker).toBeInstanceOf(Cluster);
      const workerCluster = worker as Cluster;
      const queueCluster = queue as Cluster;
      expect(workerCluster.options.redisOptions?.maxRetriesPerRequest).toBeNull();
      expect(workerCluster.options.redisOptions?.keyPrefix).toBeUndefined();
      expect(queueCluster.options.enableOfflineQueue).toBe(false);
      expect(queueCluster.options.redisOptions?.maxRetriesPerRequest).toBe(1);
      await worker.set('{kc-probe}:x', '1');
      expect(await worker.get('{kc-probe}:x')).toBe('1');
      await worker.del('{kc-probe}:x');
    } finally {
      worker.disconnect();
      queue.disconnect();
    }
  });

  it('the CLI reaches the cluster: its fail-fast connection and its QueueEvents', async () => {
    const services = createServices(
      cliConfig({
        databaseUrl: 'postgres://postgres@127.0.0.1:1/unused',
        redisUrl: cluster.url,
        queuePrefix: await prefixOffTheFirstNode(),
      }),
    );
    try {
      const redis = await services.redis();
      expect(redis).toBeInstanceOf(Cluster);
      expect(await redis.ping()).toBe('PONG');
      const events = await services.openQueueEvents(SYNC_QUEUE);
      await events.close();
      expect(describeRedisUrl(cluster.url)).toBe(
        cluster.nodes.map((node) => `127.0.0.1:${node.port}`).join(','),
      );
    } finally {
      await services.close();
    }
    // A cluster nobody answers for fails fast with the CLI's own error, naming the nodes but not the password.
    const unreachable = connectRedis('redis+cluster://:cli-secret@127.0.0.1:1,127.0.0.1:2', 1_000);
    await expect(unreachable).rejects.toBeInstanceOf(ServiceUnreachableError);
    await expect(unreachable).rejects.toThrow(/127\.0\.0\.1:1,127\.0\.0\.1:2/);
    await expect(unreachable).rejects.not.toThrow(/cli-secret/);
  });

  it('runs ingress, worker and dashboard end to end, every key in one slot on a master other than the first', async () => {
    const prefix = await prefixOffTheFirstNode();
    const h: WorkerHarness = await createHarness({}, { redisUrl: cluster.url, prefix });
    const ingress = await startIngress({ redisUrl: cluster.url, prefix });
    let worker: ChildProcess | undefined;
    let dashboardRedis: RedisConnection | undefined;
    let dashboardServer: Server | undefined;
    const dashboardQueues = (() => {
      const connection = createRedis(cluster.url, { role: 'client' });
      dashboardRedis = connection;
      const lanes = createSyncQueues(connection, { prefix });
      const changes = createChangesQueue(connection, { prefix });
      return { sync: lanes.delta, onboarding: lanes.onboarding, bulk: lanes.bulk, changes };
    })();
    try {
      expect(h.redis).toBeInstanceOf(Cluster);
      expect(ingress.redis).toBeInstanceOf(Cluster);
      // With the fleet's request budget on, so its script (two keys under the prefix) runs on the cluster too.
      worker = spawnWorkerProcess(h, { env: { KOMBO_MAX_REQUESTS_PER_SECOND: '500' } });
      h.sandbox.setWebhooks({ url: `${ingress.url}/webhooks/kombo`, secret: SECRET, debounceMs: 20 });

      // integration-created → ingress (recordIntent) → onboarding lane → worker (takeIntent, full sync, completeIntent).
      const { id } = h.sandbox.createIntegration({ sizes: { employees: 45 } });
      await h.sandbox.flushWebhooks();
      await h.waitForIdle(60_000);
      await h.expectExact(id, HRIS_TEST_MODELS);

      // data-changed → delta lane.
      h.sandbox.mutate(id, { updates: 4, creates: 2, deletes: 1, models: ['hris_employees'] });
      await h.sandbox.flushWebhooks();
      await h.waitForIdle(60_000);
      await h.expectExact(id, HRIS_TEST_MODELS);

      // The dashboard: "sync now" through its JSON API, Bull Board's view of the queues, the status API.
      const app = createDashboardApp({
        db: h.database,
        redis: dashboardRedis!,
        queues: dashboardQueues,
        logger: createLogger({ name: 'dashboard-cluster-test', level: 'silent' }),
        metrics: createMetrics({ service: 'dashboard' }),
        config: dashboardConfig({ queuePrefix: prefix, dashboardToken: TOKEN, nodeEnv: 'test' }),
      });
      dashboardServer = await new Promise<Server>((resolve) => {
        const server = app.listen(0, '127.0.0.1', () => resolve(server));
      });
      const dashboardUrl = `http://127.0.0.1:${(dashboardServer.address() as AddressInfo).port}`;
      const auth = { authorization: `Bearer ${TOKEN}` };
      const syncNow = await fetch(`${dashboardUrl}/api/integrations/${id}/sync`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ models: ['hris_employees'] }),
      });
      expect(syncNow.status).toBe(202);
      await h.waitForIdle(60_000);
      const board = await fetch(`${dashboardUrl}/queues/api/queues?page=1`, { headers: auth });
      expect(board.status).toBe(200);
      expect(JSON.stringify(await board.json())).toContain(SYNC_QUEUE);
      const status = await fetch(`${dashboardUrl}/api/integrations/${id}`, { headers: auth });
      expect(status.status).toBe(200);

      // Every run took its intent and completed it: nothing pending or in flight, three runs that succeeded.
      expect(await peekIntent(h.redis, prefix, id)).toBeNull();
      expect(await h.redis.exists(intentKeys.inFlight(prefix, id))).toBe(0);
      const runs = await getRecentRuns(h.database, id);
      expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
      const triggers = runs.map((run) => run.trigger).join(' ');
      for (const trigger of ['integration-created', 'data-changed', 'manual'])
        expect(triggers).toContain(trigger);
      expect(await h.countJobs('failed')).toBe(0);
      expect(worker.exitCode).toBeNull();

      // All of the fleet's keys (BullMQ's, the intents', the replay markers) live on the one master that owns
      // the prefix's slot, which is not the first seed node; a standalone client there is sent elsewhere.
      const perNode = await keysPerNode(`${prefix}*`);
      const owners = perNode.flatMap((keys, index) => (keys.length > 0 ? [index] : []));
      expect(owners).toHaveLength(1);
      expect(owners[0]).not.toBe(0);
      const ownerKeys = perNode[owners[0]!]!;
      expect(ownerKeys).toContain(`${prefix}:${SYNC_QUEUE}:meta`);
      expect(ownerKeys.some((key) => key.startsWith(`${prefix}:webhook:seen:`))).toBe(true);
      expect(ownerKeys.some((key) => key.startsWith(`${prefix}:kombo-budget:`))).toBe(true);
      const slots = new Set(
        await Promise.all(ownerKeys.map((key) => nodes[owners[0]!]!.call('CLUSTER', 'KEYSLOT', key))),
      );
      expect(slots.size).toBe(1);
      await expect(nodes[0]!.exists(`${prefix}:${SYNC_QUEUE}:meta`)).rejects.toThrow(/^MOVED/);
    } finally {
      if (worker && worker.exitCode === null) {
        worker.kill('SIGTERM');
        await new Promise((resolve) => worker!.once('exit', resolve));
      }
      if (dashboardServer) {
        dashboardServer.closeAllConnections();
        await new Promise((resolve) => dashboardServer!.close(resolve));
      }
      await Promise.all(Object.values(dashboardQueues).map((queue) => queue.close()));
      await dashboardRedis?.quit();
      await ingress.close();
      await h.close();
    }
  });

  it('stop() leaves no node process, port or directory behind', async () => {
    for (const node of nodes) node.disconnect();
    await cluster.stop();
    const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
    for (const node of cluster.nodes) {
      expect(await canConnect(node.port)).toBe(false);
      expect(ps.split('\n').filter((line) => line.includes(`redis-server 127.0.0.1:${node.port}`))).toEqual(
        [],
      );
    }
    expect(existsSync(cluster.dir)).toBe(false);
  });
});
