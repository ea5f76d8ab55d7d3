import { boolean, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * Where committed changes are delivered as signed webhooks (Standard Webhooks), one row per customer endpoint of
 * the fleet. Managed by the CLI and the dashboard (src/webhook-endpoints-store.ts); read by the page transactions
 * (which endpoints a change fans out to) and by the dispatcher (enabled, secrets).
 */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  /** `ep_` and 16 hex digits; also the `endpoint` label of the delivery metrics. */
  id: text('id').primaryKey(),
  /** http(s) URL the changes are POSTed to. May carry a token in its query: shown redacted, never logged. */
  url: text('url').notNull(),
  /** Current signing secret, `whsec_` + base64 of 32 random bytes. */
  secret: text('secret').notNull(),
  /** The secret before the last rotation: webhooks are signed with both until `previous_secret_expires_at`. */
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: timestamptz('previous_secret_expires_at'),
  /** Catalog models delivered; null: every model. */
  models: text('models').array(),
  /** Integrations delivered; null: every integration. */
  integrationIds: text('integration_ids').array(),
  /** Disabled endpoints get no new deliveries and none is attempted. */
  isEnabled: boolean('is_enabled').notNull().default(true),
  /** Why it was disabled (an operator, `410 Gone`, or failing past the threshold); null while enabled. */
  disabledReason: text('disabled_reason'),
  disabledAt: timestamptz('disabled_at'),
  /** Start of the current streak of failed attempts (no 2xx since); null after a success. */
  failingSince: timestamptz('failing_since'),
  lastSuccessAt: timestamptz('last_success_at'),
  createdAt: timestamptz('created_at').notNull().defaultNow(),
  updatedAt: timestamptz('updated_at').notNull().defaultNow(),
});

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
