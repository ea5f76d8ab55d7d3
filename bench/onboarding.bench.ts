/**
 * Onboarding through the real fleet: the sandbox creates integrations and sends their signed
 * `integration-created` webhooks to the real ingress; the real worker runs each initial sync. Measured: how long
 * until every new integration has a finished run, per integration, for a small and a ten times larger batch (the
 * ratio shows whether onboarding stays linear); then the Redis memory the fleet keeps per idle integration
 * (every key under its prefix, MEMORY USAGE), against the fleet's keys with no integration.
 */
import type { Database } from '@kombo-sync/db';
import { createRedis } from '@kombo-sync/queue';
import { newQueuePrefix, startFleet } from './fleet.js';
import type { SectionContext } from './report.js';
import { print, type SandboxProcess } from './services.js';

const SECRET = 'bench-onboarding-secret';

export interface OnboardingResult {
  batches: { integrations: number; seconds: number; msPerIntegration: number }[];
  /** Redis bytes of the fleet's keys per idle integration, after every batch synced. */
  bytesPerIdleIntegration: number;
  /** Redis bytes of the fleet's keys before any integration existed. */
  emptyFleetBytes: number;
}

/** What a key under the prefix is, for the breakdown: `<queue>:job`, `<queue>:<BullMQ key>`, or our own key kind. */
function kindOf(key: string, prefix: string): string {
  const [first = '', second = ''] = key.slice(prefix.length + 1).split(':');
  if (first.startsWith('kombo-sync'))
    return /^\d+$|^repeat/.test(second) ? `${first}:job` : `${first}:${second}`;
  return `${first}:${second}`;
}

/** MEMORY USAGE of every key under the prefix, in total and by kind. */
async function fleetBytes(
  redisUrl: string,
  prefix: string,
): Promise<{ total: number; byKind: Map<string, number> }> {
  const redis = createRedis(redisUrl, { role: 'client' });
  try {
    const byKind = new Map<string, number>();
    let total = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
      cursor = next;
      for (const key of keys) {
        const bytes = Number((await redis.memory('USAGE', key)) ?? 0);
        total += bytes;
        const kind = kindOf(key, prefix);
        byKind.set(kind, (byKind.get(kind) ?? 0) + bytes);
      }
    } while (cursor !== '0');
    return { total, byKind };
  } finally {
    await redis.quit();
  }
}

async function syncedCount(database: Database, ids: readonly string[]): Promise<number> {
  const { rows } = await database.pool.query<{ n: string }>(
    `SELECT count(DISTINCT integration_id) AS n FROM sync_runs
     WHERE integration_id = ANY($1::text[]) AND status = 'succeeded'`,
    [ids],
  );
  return Number(rows[0]?.n ?? 0);
}

export async function benchOnboarding(opts: {
  sandbox: SandboxProcess;
  database: Database;
  databaseUrl: string;
  redisUrl: string;
  /** Batch sizes, onboarded one after another (e.g. 100 then 1,000). */
  batches: readonly number[];
}): Promise<OnboardingResult> {
  const { sandbox, database } = opts;
  const queuePrefix = newQueuePrefix();
  const fleet = await startFleet({
    sandbox,
    databaseUrl: opts.databaseUrl,
    redisUrl: opts.redisUrl,
    queuePrefix,
    secret: SECRET,
  });
  try {
    await fleet.sendWebhooks();
    const emptyFleetBytes = (await fleetBytes(opts.redisUrl, queuePrefix)).total;
    const batches: OnboardingResult['batches'] = [];
    let total = 0;
    for (const count of opts.batches) {
      const started = performance.now();
      const ids: string[] = [];
      for (let n = 0; n < count; n++) {
        const { id } = await sandbox.admin<{ id: string }>('POST', '/integrations', {
          tool: 'personio',
          sizes: { employees: 5 },
        });
        ids.push(id);
      }
      const deadline = Date.now() + 600_000;
      while ((await syncedCount(database, ids)) < count) {
        if (Date.now() > deadline) throw new Error(`only part of ${count} integrations synced within 600 s`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const seconds = (performance.now() - started) / 1000;
      batches.push({ integrations: count, seconds, msPerIntegration: (seconds * 1000) / count });
      total += count;
      print(
        `onboarding ${count} integrations: ${seconds.toFixed(1)} s = ${(count / seconds).toFixed(1)} ` +
          `integrations/s (${((seconds * 1000) / count).toFixed(1)} ms each)`,
      );
    }
    // Idle: the jobs' completed entries age out by count; let the last runs settle before measuring.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const { total: bytes, byKind } = await fleetBytes(opts.redisUrl, queuePrefix);
    const bytesPerIdleIntegration = (bytes - emptyFleetBytes) / total;
    const largest = [...byKind]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([kind, n]) => `${kind} ${(n / total).toFixed(0)}`);
    print(
      `Redis: ${bytes} bytes for ${total} idle integrations (${emptyFleetBytes} with none) = ` +
        `${bytesPerIdleIntegration.toFixed(0)} bytes per integration; largest kinds per integration: ` +
        largest.join(', '),
    );
    return { batches, bytesPerIdleIntegration, emptyFleetBytes };
  } finally {
    await fleet.stop();
  }
}

/**
 * The onboarding section: onboarding through the real fleet (webhook → ingress → worker), a batch and one ten times
 * larger; then the Redis memory per idle integration.
 */
export async function onboardingSection({
  fleet,
  isQuick,
  row,
  compared,
  context,
}: SectionContext): Promise<void> {
  const small = isQuick ? 20 : 100;
  const r = await benchOnboarding({
    ...fleet,
    batches: [small, small * 10],
  });
  const [first, second] = r.batches;
  if (!first || !second) throw new Error('onboarding produced no batches');
  compared(
    `fleet: onboarding ${second.integrations.toLocaleString('en-US')} integrations: time per integration`,
    second.msPerIntegration,
    'ms',
    { name: `per integration at ${first.integrations}`, value: first.msPerIntegration },
    '≤ 1.2×',
    (ratio) => ratio <= 1.2,
  );
  context(
    `fleet: onboarding rate at ${second.integrations.toLocaleString('en-US')} integrations`,
    second.integrations / second.seconds,
    'integrations/s',
    { name: `at ${first.integrations}`, value: first.integrations / first.seconds },
  );
  row({
    name: `fleet: Redis bytes per idle integration (${(first.integrations + second.integrations).toLocaleString('en-US')} integrations)`,
    value: r.bytesPerIdleIntegration,
    unit: 'bytes',
    baseline: { name: 'fleet with none, bytes', value: r.emptyFleetBytes },
    target: '≤ 5 KB',
    isMet: r.bytesPerIdleIntegration <= 5_000,
  });
}
