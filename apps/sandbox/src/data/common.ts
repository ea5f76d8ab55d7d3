import type { ModelName } from '@kombo-sync/catalog';
import { Rng, mix } from './random.js';
import type { IntegrationState, ModelStore, Overlay } from './store.js';
import { CITIES, STREETS } from './words.js';

export type JsonRecord = Record<string, unknown>;

/** Returns the record of another model as the API would (overlay applied), for nesting and references. */
export type Lookup = (model: ModelName, index: number) => JsonRecord | undefined;

/** Everything a generator gets for one record. */
export interface GenInput {
  state: IntegrationState;
  store: ModelStore;
  index: number;
  overlay: Overlay | undefined;
  lookup: Lookup;
  /** Identity randomness: stable across updates (names, dates of birth, …). */
  rng: Rng;
  /** Randomness of the mutable fields: changes with every update of the record. */
  revRng: Rng;
}

export type Generator = (input: GenInput) => JsonRecord;

const DAY_MS = 24 * 3600 * 1000;

const dayPrefixes = new Map<number, string>();
const two = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const three = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** `Date#toISOString` (ms and Z) without allocating a Date per call: the hot path of every record. */
export function iso(ms: number): string {
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    if (dayPrefixes.size > 50_000) dayPrefixes.clear();
    dayPrefixes.set(day, prefix);
  }
  if (ms < 0 || ms >= 253402300800000) return new Date(ms).toISOString();
  let rest = ms - day * DAY_MS;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  return `${prefix}${two[hour]}:${two[minute]}:${two[second]}.${three[milli]}Z`;
}

/** A midnight-UTC date-time `daysAgo` days before `fromMs`. */
export function dayIso(fromMs: number, daysAgo: number): string {
  return iso(Math.floor(fromMs / DAY_MS - daysAgo) * DAY_MS);
}

export const dateOnly = (ms: number): string => iso(ms).slice(0, 10);

/** `changed_at` and `remote_deleted_at` of a record with its overlay applied. */
export function stamps(input: GenInput): { changed_at: string; remote_deleted_at: string | null } {
  const { overlay, store, index } = input;
  return {
    changed_at: iso(overlay?.changedAtMs ?? store.baseChangedAtMs(index)),
    remote_deleted_at: overlay?.deletedAtMs != null ? iso(overlay.deletedAtMs) : null,
  };
}

export function address(rng: Rng): JsonRecord {
  const place = rng.pick(CITIES);
  const street = `${rng.pick(STREETS)} ${rng.int(1, 180)}`;
  return {
    city: place.city,
    country: place.country,
    raw: `${street}, ${place.zip} ${place.city}, ${place.country}`,
    state: place.state,
    street_1: street,
    street_2: rng.chance(0.2) ? `Floor ${rng.int(1, 9)}` : null,
    zip_code: place.zip,
  };
}

/** Kombo's `integration_fields` (the spec types `value` as null, so values are null here). */
export function integrationFields(rng: Rng, keys: readonly string[]): JsonRecord[] {
  return keys.map((key, i) => ({
    id: `if${mix(rng.int(0, 1e9), i).toString(36)}`,
    key,
    type: i === 0 ? 'DEFAULT' : 'CUSTOM',
    value: null,
    label: key.replace(/_/g, ' '),
  }));
}

export const pad = (value: number, width: number): string => String(value).padStart(width, '0');

/** Lower-case ASCII slug for emails and URLs. */
export const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');

export function newRngs(store: ModelStore, index: number, rev: number): [Rng, Rng] {
  const seed = mix(store.hash, index);
  return [new Rng(mix(seed, 1)), new Rng(mix(seed, 2, rev))];
}
