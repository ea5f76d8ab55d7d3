import { bigint, boolean, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** One row per Kombo integration we know of, kept from Kombo's integration webhooks and API. */
export const integrations = pgTable(
  'integrations',
  {
    /** Kombo's integration id, `<tool>:<id>`. */
    id: text('id').primaryKey(),
    tool: text('tool').notNull(),
    /** Kombo's category as sent (HRIS, ATS, LMS, ASSESSMENT…); only HRIS, ATS and LMS have catalog models. */
    category: text('category').notNull(),
    /** The end user: Kombo's `end_user.origin_id`, organization name and creator email. */
    originId: text('origin_id'),
    organizationName: text('organization_name'),
    creatorEmail: text('creator_email'),
    /**
     * Kombo's integration state (ACTIVE, INVALID, INACTIVE), or NOT_FOUND once confirmed; null until Kombo was asked.
     * Read from `GET /integrations/{id}` when the integration is first seen, on each run of every model and from
     * `integration-state-changed` webhooks, at once (a running pass watches it).
     */
    state: text('state'),
    /** Kombo's setup status: INCOMPLETE, FINAL_SYNC_PENDING, COMPLETED. */
    setupStatus: text('setup_status'),
    qaStatus: text('qa_status'),
    /**
     * `updated_at` of the latest `integration-state-changed` webhook recorded (Kombo's clock): an older webhook, e.g.
     * one Kombo retried late, never overwrites a newer one. A state read from Kombo's API is recorded whatever it.
     */
    stateUpdatedAt: timestamp('state_updated_at', { withTimezone: true, mode: 'date' }),
    /** Kombo's own latest sync of the integration (`sync-finished`): its id, state, end and log link. */
    komboSyncId: text('kombo_sync_id'),
    komboSyncState: text('kombo_sync_state'),
    komboSyncEndedAt: timestamp('kombo_sync_ended_at', { withTimezone: true, mode: 'date' }),
    komboSyncLogUrl: text('kombo_sync_log_url'),
    /** Set by an operator: a paused integration is not synced. */
    isPaused: boolean('is_paused').notNull().default(false),
    /**
     * When an operator last paused or resumed the integration (null: never). A run compares it before and after
     * planning, so a pause or resume during its planning never loses the work it took.
     */
    pauseChangedAt: timestamp('pause_changed_at', { withTimezone: true, mode: 'date' }),
    /** The models this integration syncs, set by an operator; null: every enabled model (`SYNC_MODELS`). */
    models: text('models').array(),
    /** Full-sync interval of this integration in ms; null: `SYNC_FULL_INTERVAL_MS`. */
    fullIntervalMs: bigint('full_interval_ms', { mode: 'number' }),
    /** Safety-net delta interval of this integration in ms; null: `SYNC_SAFETY_NET_INTERVAL_MS`. */
    safetyNetIntervalMs: bigint('safety_net_interval_ms', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    /** When Kombo reported the integration deleted; its data is removed, the row kept. */
    deletedAt: timestamp('deleted_at', { withTimezone: true, mode: 'date' }),
    /**
     * Kombo's `data_expired_at` as last seen (a config change invalidated the synced data); when Kombo clears it,
     * the worker runs a full sync of every model and clears it here.
     */
    dataExpiredAt: timestamp('data_expired_at', { withTimezone: true, mode: 'date' }),
    /**
     * First time in the current streak that Kombo answered INTEGRATION_NOT_FOUND for this known integration; null
     * once it is found again. Only a streak longer than SYNC_NOT_FOUND_GRACE_MS marks it NOT_FOUND (see the worker).
     */
    notFoundSince: timestamp('not_found_since', { withTimezone: true, mode: 'date' }),
    /**
     * When the field definitions (custom fields, integration fields) were last read whole from Kombo: on
     * `integration-created`, a state change and every full sync. Null: never yet.
     */
    fieldDefinitionsRefreshedAt: timestamp('field_definitions_refreshed_at', {
      withTimezone: true,
      mode: 'date',
    }),
    /** Why the last refresh of the field definitions failed (a bounded, safe text); null after a success. */
    fieldDefinitionsError: text('field_definitions_error'),
    /**
     * The integration's latest sync run (`sync_runs.id`), set when a run starts: the status views read the latest
     * run through it instead of searching the history, and history retention never removes it.
     */
    lastRunId: bigint('last_run_id', { mode: 'number' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('integrations_origin_id_idx').on(t.originId)],
);

export type IntegrationRow = typeof integrations.$inferSelect;
