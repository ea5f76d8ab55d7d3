/**
 * One record of a Kombo list endpoint, as the client hands it over and the engine and the store pass it on: the
 * implied columns typed, every other field kept as Kombo sent it.
 */
export interface KomboRecord {
  readonly id: string;
  readonly changed_at: string;
  readonly remote_deleted_at: string | null;
  readonly [field: string]: unknown;
}

/** A record of a page that breaks its model's schema: handed over with the page, not stored but quarantined. */
export interface KomboRejectedRecord {
  /** The record's id (a rejected record without one fails its page in the client instead). */
  readonly id: string;
  /** Model, record id, field and zod's message; never the record's values. */
  readonly reason: string;
  /** The record's JSON text as Kombo sent it (the record serialised again when the body could not be split). */
  readonly text: string;
}
