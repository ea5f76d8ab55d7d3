import { randomUUID } from 'node:crypto';
import { listIntegrations, type DbLike } from '@kombo-sync/db';
import { EXIT } from '../errors.js';
import type { Output } from '../output.js';
import { enqueueSync, type EnqueueDeps } from './enqueue-sync.js';
import { terminalText } from '../terminal-text.js';

export interface BackfillDeps extends EnqueueDeps {
  db: DbLike;
  out: Output;
  /** Pacing wait; default a timer. Tests pass one that resolves at once. */
  sleep?: (ms: number) => Promise<void>;
}

export interface BackfillOptions {
  /** Integrations enqueued per second; default 1. */
  ratePerSecond?: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * `kombo-sync backfill --all`: a full resync of every non-deleted integration, enqueued through the same intent
 * path as webhooks, `ratePerSecond` integrations per second, printing one line per integration. Exit 0.
 */
export async function runBackfill(deps: BackfillDeps, options: BackfillOptions = {}): Promise<number> {
  const rate = options.ratePerSecond ?? 1;
  const sleep = deps.sleep ?? defaultSleep;
  const integrations = await listIntegrations(deps.db);
  const requestId = `cli-backfill-${randomUUID()}`;
  deps.out.out(`Backfilling ${integrations.length} integration(s) at ${rate}/s (request ${requestId}).`);
  const intervalMs = 1000 / rate;
  const startedAt = Date.now();
  for (const [index, integration] of integrations.entries()) {
    // Paced against the start time, so slow enqueues do not add up to a lower rate.
    const dueMs = startedAt + index * intervalMs - Date.now();
    if (dueMs > 0) await sleep(dueMs);
    await enqueueSync(deps, { integrationId: integration.id, full: true, trigger: 'manual', requestId });
    deps.out.out(
      `[${index + 1}/${integrations.length}] enqueued full sync of ${terminalText(integration.id, 120)}`,
    );
  }
  deps.out.out(`Done: ${integrations.length} integration(s) enqueued.`);
  return EXIT.ok;
}
