import {
  bigint,
  bigserial,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { webhookEndpoints } from './webhook-endpoints.js';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The last message sequence number of each (integration, model): taken in the page transaction that writes the
 * message, whose row lock then orders concurrent pages of one model, so sequence order is commit order.
 */
export const webhookSequences = pgTable(
  'webhook_sequences',
  {
    integrationId: text('integration_id').notNull(),
    model: text('model').notNull(),
    lastSeq: bigint('last_seq', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.model] })],
);

/**
 * One committed change (the change-feed message: integration, model, run, changed and deleted ids), written in the
 * transaction of the page or reconciliation that made it when at least one enabled endpoint matches. Its id is the
 * `webhook-id` (`msg_<id>`), the same for every endpoint and every attempt.
 */
export const webhookMessages = pgTable('webhook_messages', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  integrationId: text('integration_id').notNull(),
  model: text('model').notNull(),
  /** 1, 2, 3… per (integration, model), in commit order. */
  seq: bigint('seq', { mode: 'number' }).notNull(),
  runId: bigint('run_id', { mode: 'number' }).notNull(),
  changedIds: text('changed_ids').array().notNull(),
  deletedIds: text('deleted_ids').array().notNull(),
  /** Kombo-side time of the response that carried the changes (a reconciliation: its pass's start). */
  komboTime: timestamptz('kombo_time').notNull(),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
});

export type DeliveryState = 'pending' | 'in_flight' | 'delivered' | 'dead';

/**
 * One message to one endpoint: written with the message (src/webhook-messages-store.ts), claimed and attempted by the
 * dispatchers (src/delivery-claims-store.ts, src/delivery-attempts-store.ts), in `seq` order per (endpoint,
 * integration, model), at most one in flight per such group.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    messageId: bigint('message_id', { mode: 'number' })
      .notNull()
      .references(() => webhookMessages.id, { onDelete: 'cascade' }),
    endpointId: text('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    integrationId: text('integration_id').notNull(),
    model: text('model').notNull(),
    seq: bigint('seq', { mode: 'number' }).notNull(),
    state: text('state').$type<DeliveryState>().notNull().default('pending'),
    /** Attempts started (a claim counts one, also when its worker died before recording it). */
    attempts: integer('attempts').notNull().default(0),
    /** When the next attempt is due (pending), in the dispatcher's clock; null: at once (a new delivery). */
    nextAttemptAt: timestamptz('next_attempt_at'),
    firstAttemptAt: timestamptz('first_attempt_at'),
    /** In flight: the claim's token and when another dispatcher may take it over (its holder died). */
    claimToken: uuid('claim_token'),
    leaseExpiresAt: timestamptz('lease_expires_at'),
    lastStatus: integer('last_status'),
    lastError: text('last_error'),
    lastLatencyMs: integer('last_latency_ms'),
    deliveredAt: timestamptz('delivered_at'),
    deadAt: timestamptz('dead_at'),
    createdAt: timestamptz('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('webhook_deliveries_group_idx').on(t.endpointId, t.integrationId, t.model, t.seq),
    index('webhook_deliveries_state_idx').on(t.state, t.endpointId),
    index('webhook_deliveries_message_idx').on(t.messageId),
  ],
);

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

/** The delivery log: one row per attempt. */
export const webhookDeliveryAttempts = pgTable(
  'webhook_delivery_attempts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    deliveryId: bigint('delivery_id', { mode: 'number' })
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    startedAt: timestamptz('started_at').notNull(),
    /** HTTP status; null when no response came (timeout, refused target, network error). */
    statusCode: integer('status_code'),
    latencyMs: integer('latency_ms').notNull(),
    /** `delivered`, `failed`, `timeout`, `refused` (SSRF guard), `network`. */
    outcome: text('outcome').notNull(),
    /** Bounded reason, never a secret, the URL or the response body. */
    error: text('error'),
  },
  (t) => [index('webhook_delivery_attempts_delivery_idx').on(t.deliveryId)],
);

export type WebhookDeliveryAttemptRow = typeof webhookDeliveryAttempts.$inferSelect;
