// Two real worker processes (node --import tsx apps/worker/src/main.ts) share the queue: the per-integration limit
// on in-flight Kombo requests (SYNC_CONCURRENCY_PER_INTEGRATION) holds fleet-wide, and the fleet works on several
// integrations at once.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { getRecentRuns } from '@kombo-sync/db';
import {
  createHarness,
  HRIS_TEST_MODELS,
  spawnWorkerProcess,
  type WorkerHarness,
} from './testing/worker-harness.js';

const PER_INTEGRATION = 2;

let h: WorkerHarness;
let server: Server;
let apiUrl: string;
// Fleet-wide in-flight Kombo API requests, counted in front of the sandbox's app.
let inFlight = 0;
let maxInFlight = 0;

interface WorkerProcess {
  child: ChildProcess;
  /** Integration ids of the sync runs this process finished (from its own logs). */
  synced: Set<string>;
  started: Promise<void>;
}
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  h = await createHarness();
  server = createServer((req, res) => {
    if (req.url?.startsWith('/v1/') && req.headers['x-integration-id']) {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.once('close', () => (inFlight -= 1));
    }
    h.sandbox.app(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  for (const { child } of workers) if (child.exitCode === null) child.kill('SIGKILL');
  await Promise.all(workers.map(({ child }) => (child.exitCode === null ? once(child, 'exit') : null)));
  server.closeAllConnections();
  server.close();
  await h.close();
});

function startWorkerProcess(): WorkerProcess {
  const child = spawnWorkerProcess(h, {
    stdout: 'pipe',
    env: {
      KOMBO_API_URL: apiUrl,
      SYNC_PAGE_SIZE: '10',
      SYNC_CONCURRENCY_PER_INTEGRATION: String(PER_INTEGRATION),
      WORKER_CONCURRENCY: '2',
      LOG_LEVEL: 'info',
    },
  });
  const synced = new Set<string>();
  const started = new Promise<void>((resolve, reject) => {
    child.once('exit', (code: number | null) => reject(new Error(`worker exited early with ${code}`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let entry: { msg?: string; integrationId?: string };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (entry.msg === 'worker started') resolve();
      if (entry.msg === 'sync run finished' && entry.integrationId) synced.add(entry.integrationId);
    });
  });
  started.catch(() => undefined);
  const worker = { child, synced, started };
  workers.push(worker);
  return worker;
}

const created = (id: string) => ({ id, tool: id.split(':')[0] ?? 'personio', category: 'HRIS' });

describe('worker fleet (two processes)', () => {
  it('never exceeds the per-integration limit, both processes work, several integrations progress at once', async () => {
    const [a, b] = [startWorkerProcess(), startWorkerProcess()];
    // Both must be taking jobs before the work arrives, or the first one up would take it all.
    await Promise.all([a.started, b.started]);
    const ids = Array.from({ length: 6 }, () => h.sandbox.createIntegration({ sizes: { employees: 40 } }).id);
    h.sandbox.setFaults({ probability: { latency: 1 }, integrationIds: ids, latencyMs: 40 });
    h.sandbox.resetStats();
    for (const id of ids) await h.trigger(id, { created: created(id), full: true });
    await h.waitForIdle(60_000);
    // A delta round after mutations, so both rounds overlap requests of one integration.
    for (const id of ids) h.sandbox.mutate(id, { updates: 5, creates: 2, deletes: 1 });
    for (const id of ids) await h.trigger(id, { models: 'all', triggers: ['data-changed'] });
    await h.waitForIdle(60_000);
    h.sandbox.setFaults({});

    const stats = h.sandbox.stats().byIntegration;
    for (const id of ids) {
      await h.expectExact(id, HRIS_TEST_MODELS);
      const runs = await getRecentRuns(h.database, id);
      expect(runs.map((run) => run.status)).toEqual(['succeeded', 'succeeded']);
      expect(stats[id]?.maxInFlight).toBeLessThanOrEqual(PER_INTEGRATION);
    }
    // The limit was reached (requests of one integration did overlap), so the check above means something.
    expect(Math.max(...ids.map((id) => stats[id]?.maxInFlight ?? 0))).toBe(PER_INTEGRATION);
    expect(a.synced.size).toBeGreaterThan(0);
    expect(b.synced.size).toBeGreaterThan(0);
    expect(new Set([...a.synced, ...b.synced])).toEqual(new Set(ids));
    // Fleet-wide, more requests were in flight than one integration may have: integrations ran side by side.
    expect(maxInFlight).toBeGreaterThan(PER_INTEGRATION);
  }, 90_000);
});
