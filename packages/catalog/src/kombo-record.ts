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

/**
 * Longest record id the mirror stores, in UTF-8 bytes. Kombo's ids are short (a few dozen characters); a longer one
 * would fail the btree index of every table keyed by it (Postgres refuses index rows over about 2.7 KB) and the
 * `ids` filter that refetches it (the URL grows past what servers accept). A record with a longer id is quarantined
 * under a hashed key instead, and never refetched by id.
 */
export const MAX_RECORD_ID_BYTES = 512;

/** Whether `id` is at most {@link MAX_RECORD_ID_BYTES} in UTF-8 (encoded only when it could be longer). */
export function isStorableRecordId(id: string): boolean {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: short ids need no encoding.
  return id.length * 3 <= MAX_RECORD_ID_BYTES || new TextEncoder().encode(id).length <= MAX_RECORD_ID_BYTES;
}
