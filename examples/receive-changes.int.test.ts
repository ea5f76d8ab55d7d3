// The example receiver end to end: a sync writes the mirror, the dispatcher delivers the change webhooks, the
// example verifies them (standardwebhooks) and reads the changed rows with @kombo-sync/mirror.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createWebhookEndpoint } from '@kombo-sync/db';
import { generateWebhookSecret } from '@kombo-sync/delivery';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { createDeliveryDispatcher, deliveryConfigOf } from '@kombo-sync/worker/testing';
import { createdIntent, createHarness, logger, type WorkerHarness } from '@kombo-sync/worker/testing';
import { createChangesReceiver, type Change } from './receive-changes.js';
import { buildConfig, deliverySettings } from '@kombo-sync/config';

let h: WorkerHarness;
let pool: pg.Pool;
beforeAll(async () => {
  h = await createHarness({ pageSize: 10 });
  h.startWorker();
  pool = new pg.Pool({ connectionString: h.testDb.url, max: 2 });
});
afterAll(async () => {
  await pool.end();
  await h.close();
});

describe('examples/receive-changes.ts', () => {
  it('gets every changed employee as a typed record and the deleted ids, each webhook once', async () => {
    const secret = generateWebhookSecret();
    const changes: Change[] = [];
    const server = createServer(
      createChangesReceiver({
        secrets: [secret],
        db: drizzle(pool),
        onChange: async (change) => {
          changes.push(change);
        },
      }),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kombo-changes`;
    await createWebhookEndpoint(h.database, { url, secret, models: ['hris_employees'] });
    const dispatcher = createDeliveryDispatcher({
      database: h.database,
      config: deliveryConfigOf(
        buildConfig(deliverySettings, {
          webhookTimeoutMs: 5_000,
          webhookConcurrencyPerEndpoint: 2,
          isWebhookPrivateTargetAllowed: true,
          webhookPollIntervalMs: 60_000,
        }),
      ),
      logger,
    });
    try {
      const { id } = h.sandbox.createIntegration({ sizes: { employees: 25 } });
      await h.trigger(id, createdIntent(id));
      await h.waitForIdle();
      await dispatcher.whenIdle();
      h.sandbox.mutate(id, { updates: 3, deletes: 2, models: ['hris_employees'] });
      await h.trigger(id, { models: ['hris_employees'], triggers: ['data-changed'] });
      await h.waitForIdle();
      await dispatcher.whenIdle();

      expect(new Set(changes.map((c) => c.model))).toEqual(new Set(['hris_employees']));
      expect(new Set(changes.map((c) => c.webhookId)).size).toBe(changes.length);
      const truth = h.sandbox.truth(id, 'hris_employees');
      const last = new Map<string, Change<'hris_employees'>['records'][number]>();
      for (const change of changes as Change<'hris_employees'>[])
        for (const r of change.records) last.set(r.id, r);
      const live = truth.filter((r) => r['remote_deleted_at'] === null);
      for (const record of live) {
        const received = last.get(record['id'] as string);
        expect(received?.first_name).toBe(record['first_name']);
        expect(received?.changedAt).toEqual(new Date(record['changed_at'] as string));
      }
      const deleted = truth.filter((r) => r['remote_deleted_at'] !== null).map((r) => r['id']);
      expect(new Set(changes.flatMap((c) => c.deletedIds))).toEqual(new Set(deleted));
    } finally {
      await dispatcher.close();
      server.close();
    }
  }, 60_000);

  it('refuses a request whose signature does not verify', async () => {
    const handler = createChangesReceiver({
      secrets: [generateWebhookSecret()],
      db: drizzle(pool),
      onChange: () => Promise.reject(new Error('not called')),
    });
    const server = createServer(handler).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
      method: 'POST',
      headers: {
        'webhook-id': 'msg_1',
        'webhook-timestamp': String(Math.floor(Date.now() / 1000)),
        'webhook-signature': 'v1,AAAA',
      },
      body: '{}',
    });
    expect(response.status).toBe(401);
    server.close();
  });
});
