import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook } from '@kombo-sync/kombo';
import { createSandbox, type RunningSandbox, type Sandbox } from './index.js';

const SECRET = 'whsec-test';
interface Received {
  raw: Buffer;
  signature: string | undefined;
  event: { id: string; type: string; data: Record<string, unknown> };
}
let received: Received[] = [];
let failNext = 0;
let receiver: Server;
let receiverUrl: string;
let sandbox: Sandbox;
let running: RunningSandbox;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (failNext > 0) {
        failNext -= 1;
        res.statusCode = 500;
        return res.end();
      }
      const raw = Buffer.concat(chunks);
      received.push({
        raw,
        signature: req.headers['x-kombo-signature'] as string | undefined,
        event: JSON.parse(raw.toString()),
      });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  sandbox = createSandbox({ apiKey: 'k', seed: 9 });
  running = await sandbox.listen(0);
});
afterEach(() => {
  received = [];
});
afterAll(async () => {
  await running.close();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('webhook sender', () => {
  it('signs every webhook over the raw body and debounces data-changed per integration', async () => {
    sandbox.setWebhooks({ url: receiverUrl, secret: SECRET, debounceMs: 20 });
    const { id } = sandbox.createIntegration({ sizes: { employees: 10 } });
    sandbox.mutate(id, { updates: 1 });
    sandbox.mutate(id, { nestedUpdates: 2 });
    await sandbox.flushWebhooks();
    expect(received.map((r) => r.event.type)).toEqual(['integration-created', 'data-changed']);
    for (const r of received) expect(verifyWebhook(r.raw, r.signature, [SECRET])).toBe(true);
    expect(received[0]!.event.data).toMatchObject({ id, tool: 'personio', category: 'HRIS' });
    expect(received[1]!.event.data).toMatchObject({
      integration_id: id,
      changed_models: [
        { name: 'hris_employees' },
        { name: 'hris_employments' },
        { name: 'hris_join_employees_teams' },
      ],
    });
    expect(new Set(received.map((r) => r.event.id)).size).toBe(2);
  });

  it('sends state-changed, sync-finished and deleted events with unique ids', async () => {
    sandbox.setWebhooks({ url: receiverUrl, secret: SECRET });
    const { id } = sandbox.createIntegration({ category: 'ATS', sizes: { candidates: 5 } });
    sandbox.setIntegrationState(id, 'INACTIVE');
    sandbox.sendWebhook({ integrationId: id, type: 'sync-finished' });
    sandbox.deleteIntegration(id);
    await sandbox.flushWebhooks();
    expect(received.map((r) => r.event.type)).toEqual([
      'integration-created',
      'integration-state-changed',
      'sync-finished',
      'integration-deleted',
    ]);
    expect(received[1]!.event.data).toMatchObject({ state: 'INACTIVE', integration_category: 'ATS' });
    expect(new Set(received.map((r) => r.event.id)).size).toBe(4);
  });

  it('duplicates (same id), drops and reorders on request', async () => {
    const { id } = await quietIntegration();
    sandbox.setWebhooks({ url: receiverUrl, secret: SECRET, duplicateRate: 1 });
    sandbox.sendWebhook({ integrationId: id, type: 'sync-finished' });
    await sandbox.flushWebhooks();
    expect(received).toHaveLength(2);
    expect(received[0]!.event.id).toBe(received[1]!.event.id);

    received = [];
    sandbox.setWebhooks({ url: receiverUrl, secret: SECRET, dropRate: 1 });
    sandbox.sendWebhook({ integrationId: id, type: 'sync-finished' });
    await sandbox.flushWebhooks();
    expect(received).toHaveLength(0);
    expect(sandbox.webhookStats().dropped).toBe(1);

    sandbox.setWebhooks({ url: receiverUrl, secret: SECRET, reorderRate: 1 });
    const first = sandbox.sendWebhook({ integrationId: id, type: 'sync-finished', changedModels: [] }).id;
    const second = sandbox.sendWebhook({ integrationId: id, type: 'sync-finished' }).id;
    await sandbox.flushWebhooks();
    expect(received.map((r) => r.event.id).sort()).toEqual([first, second].sort());
    expect(sandbox.webhookStats().reordered).toBeGreaterThanOrEqual(1);
  });

  it('retries a failed delivery with backoff', async () => {
    const { id } = await quietIntegration();
    sandbox.setWebhooks({ url: receiverUrl, secret: SECRET });
    failNext = 1;
    const { id: eventId } = sandbox.sendWebhook({ integrationId: id, type: 'sync-finished' });
    await sandbox.flushWebhooks();
    expect(received.map((r) => r.event.id)).toEqual([eventId]);
    expect(failNext).toBe(0);
  });
});

/** Creates an integration and forgets its integration-created webhook. */
async function quietIntegration(): Promise<{ id: string }> {
  const created = sandbox.createIntegration({ sizes: { employees: 5 } });
  await sandbox.flushWebhooks();
  received = [];
  return created;
}
