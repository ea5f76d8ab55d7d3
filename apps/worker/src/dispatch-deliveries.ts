import http from 'node:http';
import https from 'node:https';
import {
  claimDeliveries,
  finishDelivery,
  hasWaitingDeliveries,
  pruneDeliveries,
  type ClaimedDelivery,
  type Database,
} from '@kombo-sync/db';
import {
  decideAfterFailure,
  DEFAULT_RETRY_POLICY,
  sendWebhook,
  signWebhook,
  webhookBody,
  webhookIdOf,
  type RetryPolicy,
} from '@kombo-sync/delivery';
import type { Logger } from '@kombo-sync/logger';
import type { Metrics } from '@kombo-sync/metrics';

/** How a worker's dispatcher sends webhooks (the WEBHOOK_* variables). */
export interface DeliveryConfig {
  /** Deadline of one attempt, ms (WEBHOOK_TIMEOUT_MS). */
  timeoutMs: number;
  /** Most deliveries in flight per endpoint, fleet-wide (WEBHOOK_CONCURRENCY_PER_ENDPOINT). */
  concurrencyPerEndpoint: number;
  /** Let private, loopback and link-local targets through (WEBHOOK_ALLOW_PRIVATE_TARGETS). */
  isPrivateAllowed: boolean;
  /** How often due deliveries are looked for besides after each committed page and each attempt, ms. */
  pollIntervalMs: number;
  /** Retries, dead letters and disabling (WEBHOOK_RETRY_WINDOW_MS, WEBHOOK_DISABLE_AFTER_MS over the package's). */
  retryPolicy: RetryPolicy;
  /** Delivered deliveries are deleted this many days after delivery (WEBHOOK_DELIVERED_RETENTION_DAYS). */
  deliveredRetentionDays: number;
  /** Dead letters are deleted this many days after they died (WEBHOOK_DEAD_RETENTION_DAYS). */
  deadRetentionDays: number;
}

/** The dispatcher's settings from a worker's config (the WEBHOOK_* variables). */
export function deliveryConfigOf(config: {
  webhookTimeoutMs: number;
  webhookConcurrencyPerEndpoint: number;
  isWebhookPrivateTargetAllowed: boolean;
  webhookPollIntervalMs: number;
  webhookRetryWindowMs: number;
  webhookDisableAfterMs: number;
  webhookDeliveredRetentionDays: number;
  webhookDeadRetentionDays: number;
}): DeliveryConfig {
  return {
    timeoutMs: config.webhookTimeoutMs,
    concurrencyPerEndpoint: config.webhookConcurrencyPerEndpoint,
    isPrivateAllowed: config.isWebhookPrivateTargetAllowed,
    pollIntervalMs: config.webhookPollIntervalMs,
    retryPolicy: {
      ...DEFAULT_RETRY_POLICY,
      retryWindowMs: config.webhookRetryWindowMs,
      disableAfterMs: config.webhookDisableAfterMs,
    },
    deliveredRetentionDays: config.webhookDeliveredRetentionDays,
    deadRetentionDays: config.webhookDeadRetentionDays,
  };
}

export interface DeliveryDispatcher {
  /** Looks for due deliveries now (or once more after the round in progress). Never rejects. */
  kick(): void;
  /**
   * Resolves once no delivery is due and none is in flight here (tests, benches; against a clock they control).
   * Deliveries in flight in other processes are not waited for.
   */
  whenIdle(): Promise<void>;
  /** Stops claiming, waits for the attempts in flight (each bounded by the timeout), closes the connections. */
  close(): Promise<void>;
}

export interface DeliveryDispatcherDeps {
  database: Database;
  config: DeliveryConfig;
  logger: Logger;
  metrics?: Metrics;
  /** The dispatcher's clock (due times, leases, `webhook-timestamp`, retry and disable decisions), epoch ms. */
  now?: () => number;
  /** Uniform in [0, 1) for the jitter; default Math.random. */
  random?: () => number;
}

/** Most deliveries one claim takes. */
const CLAIM_BATCH = 50;
/** A claim outlives the attempt's deadline by this much before another dispatcher may take it over, ms. */
const LEASE_MARGIN_MS = 10_000;
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The webhook dispatcher of one worker process: claims due deliveries from Postgres (fleet-wide: the claim rules
 * in packages/db `claimDeliveries`: order per (endpoint, integration, model), at most `concurrencyPerEndpoint` in
 * flight per endpoint), signs and sends each (packages/delivery), and records the attempt and what follows (the
 * retry policy) in one transaction. A slow or dead endpoint only ever holds its own slots; syncs never wait for
 * it (deliveries are rows, written with the page). Nothing is kept in Redis or in memory that a crash could lose:
 * a killed dispatcher's claims expire and are taken again (the one attempt in flight is repeated). Also prunes
 * delivered and dead deliveries past their retention, hourly.
 */
export function createDeliveryDispatcher({
  database,
  config,
  logger,
  metrics,
  now = Date.now,
  random = Math.random,
}: DeliveryDispatcherDeps): DeliveryDispatcher {
  const policy = config.retryPolicy;
  const inFlight = new Set<Promise<void>>();
  const agents = new Map<string, http.Agent>();
  let round: Promise<number> | undefined;
  let shouldRunAgain = false;
  let isClosed = false;

  const agentFor = (delivery: ClaimedDelivery): http.Agent => {
    const isHttps = delivery.url.startsWith('https:');
    const key = `${delivery.endpointId}:${isHttps ? 's' : ''}`;
    let agent = agents.get(key);
    if (!agent) {
      const options = { keepAlive: true, maxSockets: config.concurrencyPerEndpoint };
      agent = isHttps ? new https.Agent(options) : new http.Agent(options);
      agents.set(key, agent);
    }
    return agent;
  };

  /** One attempt, recorded; true when the slot passed straight on to the group's next delivery. */
  async function attempt(delivery: ClaimedDelivery): Promise<boolean> {
    const startedAt = new Date(now());
    const body = webhookBody(delivery);
    const log = logger.child({
      endpointId: delivery.endpointId,
      deliveryId: delivery.id,
      webhookId: webhookIdOf(delivery.messageId),
      attempt: delivery.attempt,
    });
    const result = await sendWebhook({
      url: delivery.url,
      headers: signWebhook({
        id: webhookIdOf(delivery.messageId),
        timestampSeconds: Math.floor(startedAt.getTime() / 1000),
        body,
        secrets: delivery.secrets,
      }),
      body,
      timeoutMs: config.timeoutMs,
      isPrivateAllowed: config.isPrivateAllowed,
      agent: agentFor(delivery),
    });
    const endpoint = delivery.endpointId;
    metrics?.webhookAttempts.inc({ endpoint, outcome: result.outcome });
    metrics?.webhookAttemptSeconds.observe({ endpoint }, result.latencyMs / 1000);
    const finishedAt = new Date(Math.max(now(), startedAt.getTime()));
    const next =
      result.outcome === 'delivered'
        ? ({ kind: 'delivered' } as const)
        : decideAfterFailure(policy, {
            attempt: delivery.attempt,
            firstAttemptAt: delivery.firstAttemptAt,
            failingSince: delivery.failingSince ?? finishedAt,
            now: finishedAt,
            statusCode: result.statusCode,
            ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
            random,
          });
    const finished = await finishDelivery(database, {
      delivery,
      startedAt,
      latencyMs: result.latencyMs,
      statusCode: result.statusCode,
      outcome: result.outcome,
      error: result.error,
      next,
      now: finishedAt,
      ...(isClosed ? {} : { claimNext: { leaseMs: config.timeoutMs + LEASE_MARGIN_MS } }),
    });
    const { isCurrent } = finished;
    if (!isCurrent) {
      log.warn('delivery attempt finished after its claim expired; another dispatcher has it');
      return false;
    }
    // The group's next delivery, claimed with this one's result: this slot goes on with it.
    if (finished.next) start(finished.next);
    if (next.kind === 'delivered') metrics?.webhookDeliveries.inc({ endpoint, result: 'delivered' });
    else if (next.kind === 'dead') {
      metrics?.webhookDeliveries.inc({ endpoint, result: 'dead' });
      log.warn(
        { outcome: result.outcome, status: result.statusCode },
        'webhook delivery dead: retries exhausted',
      );
    } else if (next.kind === 'disable') {
      metrics?.webhookDeliveries.inc({ endpoint, result: 'dead' });
      log.error({ reason: next.reason }, 'webhook endpoint disabled');
    } else {
      log.debug(
        { outcome: result.outcome, status: result.statusCode, retryAt: next.at },
        'webhook attempt failed',
      );
    }
    return finished.next !== undefined;
  }

  function start(delivery: ClaimedDelivery): void {
    const task = attempt(delivery)
      .catch((err: unknown) => {
        // Postgres failed while recording: the claim expires and the delivery is attempted again.
        logger.warn(
          { err, deliveryId: delivery.id },
          'could not record a webhook attempt; it will be repeated',
        );
        return false;
      })
      .then((isPassedOn) => {
        inFlight.delete(task);
        // A freed slot may serve another group (or this one's next, once due).
        if (!isPassedOn) kick();
      });
    inFlight.add(task);
  }

  async function claimRound(): Promise<number> {
    let claimed = 0;
    do {
      shouldRunAgain = false;
      if (isClosed) return claimed;
      try {
        if (!(await hasWaitingDeliveries(database))) return claimed;
        const batch = await claimDeliveries(database, {
          now: new Date(now()),
          limit: CLAIM_BATCH,
          perEndpoint: config.concurrencyPerEndpoint,
          leaseMs: config.timeoutMs + LEASE_MARGIN_MS,
        });
        claimed += batch.length;
        for (const delivery of batch) start(delivery);
        if (batch.length === CLAIM_BATCH) shouldRunAgain = true;
      } catch (err) {
        logger.warn({ err }, 'could not claim webhook deliveries; retrying on the next poll');
      }
    } while (shouldRunAgain && !isClosed);
    return claimed;
  }

  function kick(): void {
    if (isClosed) return;
    if (round) {
      shouldRunAgain = true;
      return;
    }
    round = claimRound().finally(() => (round = undefined));
  }

  const poll = setInterval(kick, config.pollIntervalMs);
  poll.unref();
  const prune = setInterval(() => {
    const at = now();
    pruneDeliveries(database, {
      deliveredBefore: new Date(at - config.deliveredRetentionDays * DAY_MS),
      deadBefore: new Date(at - config.deadRetentionDays * DAY_MS),
    })
      .then((pruned) => {
        if (pruned > 0) logger.info({ pruned }, 'pruned webhook deliveries past their retention');
      })
      .catch((err: unknown) => logger.warn({ err }, 'webhook delivery pruning failed'));
  }, PRUNE_INTERVAL_MS);
  prune.unref();
  kick();

  return {
    kick,
    async whenIdle() {
      for (;;) {
        if (round) {
          await round;
          continue;
        }
        if (inFlight.size > 0) {
          await Promise.all([...inFlight]);
          continue;
        }
        const claimed = await (round = claimRound().finally(() => (round = undefined)));
        if (claimed === 0 && inFlight.size === 0 && !round) return;
      }
    },
    async close() {
      isClosed = true;
      clearInterval(poll);
      clearInterval(prune);
      await round;
      // An attempt finishing now may still pass its group's next delivery on (claimed before the close).
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      for (const agent of agents.values()) agent.destroy();
    },
  };
}
