import { index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * `connection-flow-failed` webhooks: an end user tried to connect a tool in Kombo's connection flow and failed, so
 * no integration exists yet (the webhook names none). Kept 30 days (pruned as new ones arrive).
 */
export const connectionFlowFailures = pgTable(
  'connection_flow_failures',
  {
    /** The webhook's event id: a replay records nothing new. */
    eventId: text('event_id').primaryKey(),
    tool: text('tool').notNull(),
    category: text('category').notNull(),
    /** The end user: Kombo's `end_user.origin_id`, organization name and creator email. */
    originId: text('origin_id'),
    organizationName: text('organization_name'),
    creatorEmail: text('creator_email'),
    /** Kombo's log of the failed flow. */
    logUrl: text('log_url'),
    receivedAt: timestamp('received_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('connection_flow_failures_received_at_idx').on(t.receivedAt)],
);

export type ConnectionFlowFailureRow = typeof connectionFlowFailures.$inferSelect;
