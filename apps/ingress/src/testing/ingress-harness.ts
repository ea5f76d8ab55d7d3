/* Test support for the ingress integration tests (not imported by production code). */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Queue } from 'bullmq';
import { signWebhook } from '@kombo-sync/kombo';
import { createLogger } from '@kombo-sync/logger';
import {
  closeSyncQueues,
  createRedis,
  createSignalQueue,
  createSyncQueues,
  laneQueues,
  peekIntent,
  type Intent,
  type SyncQueues,
} from '@kombo-sync/queue';
import { testServices } from '@kombo-sync/config/testing';
import { createIngressApp } from '../app.js';
import type { IngressMetrics } from '../deps.js';
import { ingressConfig, type IngressConfigOverrides } from '../ingress-config.js';
import type { RedisConnection } from '@kombo-sync/queue';
import type { KomboEnvironmentWebhooks } from '@kombo-sync/config';

export const SECRET = 'whsec_current_secret';

export interface IngressHarness {
  url: string;
  redis: RedisConnection;
  queues: SyncQueues;
  /** Kombo's health signals queued by the webhooks. */
  signals: Queue;
  /** The delta lane (`queues.delta`), where webhooks' changes wait. */
  queue: Queue;
  prefix: string;
  logs: string[];
  /** Signs `body` with `secret` (default {@link SECRET}) and posts it to `path` (default `/webhooks/kombo`). */
  post(
    body: unknown,
    opts?: { secret?: string; headers?: Record<string, string>; path?: string },
  ): Promise<Response>;
  intent(integrationId: string): Promise<Intent | null>;
  /** Integration ids of the jobs waiting in either lane (one entry per job). */
  waitingIntegrations(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startHarness(
  opts: {
    redisUrl?: string;
    /** Default a fresh `{test-ingress-<random>}`. */
    prefix?: string;
    config?: Partial<IngressConfigOverrides>;
    metrics?: IngressMetrics;
    /** Named Kombo environments, each on `/webhooks/kombo/<name>` with its own secrets. */
    environments?: KomboEnvironmentWebhooks[];
  } = {},
): Promise<IngressHarness> {
  const prefix = opts.prefix ?? `{test-ingress-${randomUUID().slice(0, 8)}}`;
  const redis = createRedis(opts.redisUrl ?? testServices().redisUrl, {
    role: 'queue',
  });
  redis.on('error', () => undefined);
  await once(redis, 'ready');
  const queues = createSyncQueues(redis, { prefix });
  const signals = createSignalQueue(redis, { prefix });
  for (const queue of [...laneQueues(queues), signals]) queue.on('error', () => undefined);
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs.push(chunk.toString());
      callback();
    },
  });
  const logger = createLogger({ name: 'ingress-test', level: 'info', destination });
  const config = ingressConfig({
    webhookSecrets: [SECRET],
    bodyLimitBytes: 64 * 1024,
    replayTtlSeconds: 3_600,
    queuePrefix: prefix,
    ...opts.config,
  });
  const app = createIngressApp({
    redis,
    queues,
    signals,
    config,
    logger,
    metrics: opts.metrics,
    ...(opts.environments ? { environments: opts.environments } : {}),
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    redis,
    queues,
    signals,
    queue: queues.delta,
    prefix,
    logs,
    async post(body, { secret = SECRET, headers = {}, path = '/webhooks/kombo' } = {}) {
      const raw = typeof body === 'string' ? body : JSON.stringify(body);
      return fetch(`${url}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-kombo-signature': signWebhook(raw, secret),
          ...headers,
        },
        body: raw,
      });
    },
    intent: (integrationId) => peekIntent(redis, prefix, integrationId),
    async waitingIntegrations() {
      const jobs = laneQueues(queues).map((queue) => queue.getJobs(['waiting', 'prioritized', 'delayed']));
      return (await Promise.all(jobs))
        .flat()
        .map((job) => String(job.data.integrationId))
        .sort();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeSyncQueues(queues);
      await signals.close();
      if (redis.status === 'ready') {
        const keys = await redis.keys(`${prefix}*`);
        if (keys.length > 0) await redis.del(...keys);
      }
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

const endUser = { organization_name: 'Acme, Inc.', creator_email: 'it@example.com', origin_id: '1' };

/** Webhook bodies as Kombo sends them. */
export const events = {
  dataChanged: (integrationId: string, names: string[], id: string = randomUUID()) => ({
    id,
    type: 'data-changed',
    data: {
      integration_id: integrationId,
      integration_tool: 'personio',
      integration_category: 'HRIS',
      changed_models: names.map((name) => ({ name })),
    },
  }),
  syncFinished: (integrationId: string, syncState: string) => ({
    id: randomUUID(),
    type: 'sync-finished',
    data: {
      sync_id: 's1',
      sync_state: syncState,
      sync_started_at: '2026-01-01T12:00:00.000Z',
      sync_ended_at: '2026-01-01T12:30:00.000Z',
      sync_duration_seconds: 1800,
      integration_id: integrationId,
      integration_tool: 'personio',
      integration_category: 'HRIS',
      end_user: endUser,
      log_url: 'https://app.kombo.dev/env/test/logs/s1',
    },
  }),
  remoteEventReceived: (integrationId: string) => ({
    id: randomUUID(),
    type: 'remote-event-received',
    data: {
      integration_id: integrationId,
      integration_tool: 'personio',
      integration_category: 'HRIS',
      end_user: endUser,
    },
  }),
  integrationCreated: (integrationId: string) => ({
    id: randomUUID(),
    type: 'integration-created',
    data: { id: integrationId, tool: 'personio', category: 'HRIS', end_user: endUser },
  }),
  integrationDeleted: (integrationId: string) => ({
    id: randomUUID(),
    type: 'integration-deleted',
    data: {
      id: integrationId,
      tool: 'personio',
      category: 'HRIS',
      end_user: endUser,
      deleted_at: '2026-01-02T00:00:00.000Z',
    },
  }),
  integrationStateChanged: (integrationId: string, state: string) => ({
    id: randomUUID(),
    type: 'integration-state-changed',
    data: {
      integration_id: integrationId,
      integration_tool: 'personio',
      integration_category: 'HRIS',
      end_user: endUser,
      qa_status: 'PASSED',
      setup_status: 'COMPLETED',
      state,
      updated_at: '2026-01-02T00:00:00.000Z',
    },
  }),
  connectionFlowFailed: () => ({
    id: randomUUID(),
    type: 'connection-flow-failed',
    data: {
      integration_tool: 'personio',
      integration_category: 'HRIS',
      end_user: endUser,
      log_url: 'https://app.kombo.dev/env/test/logs?flowId=f1',
    },
  }),
};
