import { createHash } from 'node:crypto';
import { storableString } from '@kombo-sync/db';

/**
 * A JSON value's canonical JSON text: object keys sorted recursively (UTF-16 code unit order), no whitespace,
 * numbers as JavaScript prints them (so `1.0` and `1` agree), and every NUL character and lone surrogate in a string
 * or a key replaced by U+FFFD, as the mirror stores it (packages/db `storableString`). Object members whose value is `undefined` are left
 * out and non-finite numbers become `null`, as in `JSON.stringify`. Throws a TypeError for a value JSON cannot
 * carry (a function, a symbol, a bigint).
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(storableString(value));
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (Array.isArray(value)) {
        const items = (value as unknown[]).map((item) => (item === undefined ? 'null' : canonicalJson(item)));
        return `[${items.join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      const members: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const member = record[key];
        if (member !== undefined)
          members.push(`${JSON.stringify(storableString(key))}:${canonicalJson(member)}`);
      }
      return `{${members.join(',')}}`;
    }
    default:
      throw new TypeError(`a ${typeof value} is not a JSON value`);
  }
}

/**
 * SHA-256 (base64url, 43 characters) of a record's {@link canonicalJson}: equal for records with the same content
 * whatever their key order, spacing or number formatting, or whether a NUL was replaced on the way into the mirror.
 */
export function contentHash(record: unknown): string {
  return createHash('sha256').update(canonicalJson(record)).digest('base64url');
}
