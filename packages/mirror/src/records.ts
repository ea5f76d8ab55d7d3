import type { MODELS, ModelName } from '@kombo-sync/catalog';

/** The catalog entry of model `M`, with its field types as literals. */
type SpecOf<M extends ModelName> = Extract<(typeof MODELS)[number], { name: M }>;

/** The TypeScript type of a catalog field: text → string, timestamp → Date, number, boolean, json → unknown. */
type FieldValueOf<F> = F extends { type: 'text' }
  ? string
  : F extends { type: 'timestamp' }
    ? Date
    : F extends { type: 'number' }
      ? number
      : F extends { type: 'boolean' }
        ? boolean
        : unknown;

/** The typed fields of model `M`'s records (Kombo's snake_case names), null where Kombo may send null. */
export type MirrorFields<M extends ModelName> = {
  -readonly [K in keyof SpecOf<M>['fields']]: SpecOf<M>['fields'][K] extends { nullable: false }
    ? FieldValueOf<SpecOf<M>['fields'][K]>
    : FieldValueOf<SpecOf<M>['fields'][K]> | null;
};

/**
 * A live record of model `M` in the mirror: its typed fields plus where it came from. Records Kombo reported
 * deleted are not returned as records (the queries report their ids), and the stored raw JSON and the sync's own
 * bookkeeping (hashes, fetch order) are left out.
 */
export type MirrorRecord<M extends ModelName> = MirrorFields<M> & {
  /** Kombo's id of the record. */
  id: string;
  integrationId: string;
  /** Kombo's `changed_at`: when the record last changed in the source system (as Kombo tracks it). */
  changedAt: Date;
  /** When the mirror first stored it, and last saw it (written or found unchanged). */
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** The sync run that last wrote it: compare with a change webhook's `runId`. */
  lastRunId: number | null;
};

/** Models whose records carry `custom_fields`. */
export type ModelWithCustomFields = {
  [M in ModelName]: 'custom_fields' extends keyof SpecOf<M>['fields'] ? M : never;
}[ModelName];
