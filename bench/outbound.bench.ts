/**
 * Outbound webhooks. (1) Latency: the latency bench's fleet (sandbox → ingress → production worker) with a webhook
 * endpoint on a receiver in this process that verifies every request with the `standardwebhooks` package; per
 * mutation, from just before the sandbox mutation to the arrival of the webhook naming the changed row, beside the
 * same mutation's webhook-to-row time (the same-run baseline). (2) Throughput: deliveries of `messages` changes in
 * `groups` (integration, model) groups to one endpoint by one dispatcher at the default concurrency per endpoint,
 * against bare signed POSTs to the same receiver at the same concurrency (no Postgres).
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildConfig, defaultsOf, deliverySettings } from '@kombo-sync/config';
import { createWebhookEndpoint, writeWebhookMessages, type Database } from '@kombo-sync/db';
import { generateWebhookSecret, sendWebhook, signWebhook } from '@kombo-sync/delivery';
import { createLogger } from '@kombo-sync/logger';
import { Webhook } from 'standardwebhooks';
import { createDeliveryDispatcher, deliveryConfigOf } from '@kombo-sync/worker/testing';
import { benchWebhookLatency } from './latency.bench.js';
import type { SectionContext } from './report.js';
import { print } from './services.js';

/** A receiver that verifies each webhook and notes when each changed id arrived (performance.now()). */
export interface BenchReceiver {
  url: string;
  secret: string;
  received(): number;
  invalid(): number;
  /** Resolves with the arrival time of the first webhook naming `id` that arrives after `since`. */
  waitForId(id: string, since: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function startBenchReceiver(): Promise<BenchReceiver> {
  const secret = generateWebhookSecret();
  const verifier = new Webhook(secret);
  const arrivals = new Map<string, number>();
  let received = 0;
  let invalid = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const at = performance.now();
      const headers = Object.fromEntries(
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [
          name,
          String(req.headers[name] ?? ''),
        ]),
      );
      try {
        const payload = verifier.verify(Buffer.concat(chunks).toString('utf8'), headers) as {
          data?: { changedIds?: string[] };
        };
        received++;
        for (const id of payload.data?.changedIds ?? []) arrivals.set(id, at);
        res.writeHead(204).end();
      } catch {
        invalid++;
        res.writeHead(401).end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    secret,
    received: () => received,
    invalid: () => invalid,
    async waitForId(id, since, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const at = arrivals.get(id);
        if (at !== undefined && at >= since) return at;
        if (Date.now() > deadline) throw new Error(`no webhook for ${id} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}

export interface ThroughputResult {
  deliveries: number;
  perSecond: number;
  barePostsPerSecond: number;
}

/** Deliveries per second to one endpoint (see the file's header). */
export async function benchDeliveryThroughput(opts: {
  database: Database;
  messages: number;
  groups: number;
}): Promise<ThroughputResult> {
  const receiver = await startBenchReceiver();
  const defaults = defaultsOf(deliverySettings);
  const concurrency = defaults.webhookConcurrencyPerEndpoint;
  try {
    // Bare: signed POSTs of a similar body at the same concurrency, one keep-alive agent.
    const body = JSON.stringify({ type: 'records.changed', data: { changedIds: ['x'.repeat(20)] } });
    const { Agent } = await import('node:http');
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
    let sent = 0;
    const bareStart = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (sent < opts.messages) {
          sent++;
          const result = await sendWebhook({
            url: receiver.url,
            headers: signWebhook({
              id: `msg_${sent}`,
              timestampSeconds: Math.floor(Date.now() / 1000),
              body,
              secrets: [receiver.secret],
            }),
            body,
            timeoutMs: 10_000,
            isPrivateAllowed: true,
            agent,
          });
          if (result.outcome !== 'delivered') throw new Error(`bare POST failed: ${result.error}`);
        }
      }),
    );
    const barePostsPerSecond = opts.messages / ((performance.now() - bareStart) / 1000);
    agent.destroy();

    await createWebhookEndpoint(opts.database, { url: receiver.url, secret: receiver.secret });
    for (let n = 0; n < opts.messages; n++) {
      await writeWebhookMessages(opts.database, {
        integrationId: `bench:${n % opts.groups}`,
        model: 'hris_employees',
        runId: 1,
        changedIds: [`emp-${n}`],
        deletedIds: [],
        komboTime: new Date(),
      });
    }
    const before = receiver.received();
    const dispatcher = createDeliveryDispatcher({
      database: opts.database,
      config: deliveryConfigOf(
        buildConfig(deliverySettings, {
          webhookConcurrencyPerEndpoint: concurrency,
          isWebhookPrivateTargetAllowed: true,
        }),
      ),
      logger: createLogger({ name: 'bench-dispatcher', level: 'warn' }),
    });
    const start = performance.now();
    await dispatcher.whenIdle();
    const seconds = (performance.now() - start) / 1000;
    await dispatcher.close();
    const deliveries = receiver.received() - before;
    if (deliveries !== opts.messages || receiver.invalid() > 0)
      throw new Error(`delivered ${deliveries} of ${opts.messages}, ${receiver.invalid()} invalid`);
    const result = { deliveries, perSecond: deliveries / seconds, barePostsPerSecond };
    print(
      `outbound throughput: ${deliveries} deliveries in ${opts.groups} groups to one endpoint (concurrency ` +
        `${concurrency}): ${result.perSecond.toFixed(0)}/s; bare signed POSTs ${barePostsPerSecond.toFixed(0)}/s`,
    );
    return result;
  } finally {
    await receiver.close();
  }
}

/**
 * The outbound section: the delivered change webhook against the same mutations' webhook-to-row time (idle fleet),
 * and deliveries per second to one endpoint against bare signed POSTs at the same concurrency.
 */
export async function outboundSection({
  fleet,
  bench,
  isQuick,
  sizes,
  compared,
}: SectionContext): Promise<void> {
  const receiver = await startBenchReceiver();
  try {
    const r = await benchWebhookLatency({
      ...fleet,
      samples: sizes.latencySamples,
      receiver,
    });
    const delivered = r.deliveredP99Ms ?? NaN;
    compared(
      'outbound: Kombo webhook to delivered customer webhook p99',
      delivered,
      'ms',
      { name: 'webhook-to-row p99 ms', value: r.p99Ms },
      '≤ row p99 + 250 ms',
      () => delivered <= r.p99Ms + 250,
    );
  } finally {
    await receiver.close();
    await bench.database.pool.query('DELETE FROM webhook_endpoints');
  }
  const t = await benchDeliveryThroughput({
    database: bench.database,
    messages: isQuick ? 300 : 3_000,
    groups: 50,
  });
  compared(
    'outbound: deliveries per second to one endpoint',
    t.perSecond,
    'deliveries/s',
    { name: 'bare signed POSTs/s', value: t.barePostsPerSecond },
    '≥ 0.4× bare POSTs',
    (ratio) => ratio >= 0.4,
  );
}
