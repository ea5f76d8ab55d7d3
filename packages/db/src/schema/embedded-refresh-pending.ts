import { integer, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';

/**
 * Children (of catalog `UNTRACKED_EMBEDS`) whose change or deletion committed while the parents holding a copy of
 * them are not refetched yet. Written in the transaction of the page that changed the child, deleted once the
 * parents' pages committed: a run killed, cancelled or failed in between leaves the rows to the next run, since the
 * child's watermark has moved past the change and no delta will report it again.
 */
export const embeddedRefreshPending = pgTable(
  'embedded_refresh_pending',
  {
    integrationId: text('integration_id').notNull(),
    /** The child model. */
    model: text('model').notNull(),
    childId: text('child_id').notNull(),
    /** Bumped by every new change of the child: a refresh clears only the version it handled. */
    version: integer('version').notNull().default(1),
  },
  (t) => [primaryKey({ columns: [t.integrationId, t.model, t.childId] })],
);
