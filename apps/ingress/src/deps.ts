import type { Tracer } from '@opentelemetry/api';
import type { KomboEnvironmentWebhooks } from '@kombo-sync/config';
import type { Logger } from '@kombo-sync/logger';
import type { Queue } from 'bullmq';
import type { SyncQueues } from '@kombo-sync/queue';
import type { RedisConnection } from '@kombo-sync/queue';

import type { IngressConfig } from './ingress-config.js';

export type { IngressConfig };

/** Webhook outcomes counted by the metrics hook. */
export type WebhookOutcome =
  'queued' | 'recorded' | 'replay' | 'ignored' | 'signature_invalid' | 'payload_invalid' | 'unavailable';

/**
 * Optional metrics: structurally a prom-client `Registry` (served on `/metrics`) and a counter labelled by Kombo
 * environment (the path's, `default` for `/webhooks/kombo`), webhook type and outcome, so this app needs no
 * prom-client import.
 */
export interface IngressMetrics {
  registry: { contentType: string; metrics(): Promise<string> };
  webhooks?: { inc(labels: { environment: string; type: string; outcome: WebhookOutcome }): void };
}

export interface IngressDeps {
  /** A `queue`-role connection (fails fast when Redis is down); used for intents and readiness. */
  redis: RedisConnection;
  /** Both lanes of sync jobs (`createSyncQueues`), with the same prefix as `config.queuePrefix`. */
  queues: SyncQueues;
  /** Kombo's health signals to record (`createSignalQueue`), same prefix. */
  signals: Queue;
  config: IngressConfig;
  logger: Logger;
  metrics?: IngressMetrics;
  /**
   * Named Kombo environments (KOMBO_ENVIRONMENTS): each one's webhooks arrive on `/webhooks/kombo/<name>`, verified
   * with its own secrets only, and its integrations are keyed `<name>/<Kombo id>`. None: the default path only.
   */
  environments?: readonly KomboEnvironmentWebhooks[];
  /** Spans each webhook. Default the OpenTelemetry API's global tracer: a no-op unless main.ts started the SDK. */
  tracer?: Tracer;
}
