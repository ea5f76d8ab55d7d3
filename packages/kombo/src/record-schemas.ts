import { z } from 'zod';
import { MODELS, getModel, type FieldSpec, type KomboRecord, type ModelName } from '@kombo-sync/catalog';
import { KomboMalformedResponseError } from './errors.js';

export type { KomboRecord };

/** ISO-8601 date-time with a `Z` or numeric offset, e.g. `2022-08-07T14:01:29.196Z`. */
export const isoDateTimeSchema = z.iso.datetime({ offset: true });

// Nested data is stored as jsonb and its contents are not typed here: a type check, not z.record/z.array, which
// would walk and copy every nested object of every record (figures: bench/README.md, "Figures behind code choices").
const jsonValueSchema = z.custom<Record<string, unknown> | unknown[]>(
  (value) => typeof value === 'object' && value !== null,
  { message: 'Invalid input: expected an object or an array' },
);

function fieldSchema(spec: FieldSpec): z.ZodType {
  const byType = {
    text: z.string(),
    timestamp: isoDateTimeSchema,
    number: z.number(),
    boolean: z.boolean(),
    json: jsonValueSchema,
  }[spec.type];
  // Nullable (the default) also means "may be omitted": Kombo leaves out fields a tool does not provide.
  return spec.nullable === false ? byType : byType.nullable().optional();
}

/** `changed_at` of records whose model has no change stamps (see `hasChangeStamps` in the catalog). */
export const UNSTAMPED_CHANGED_AT = '1970-01-01T00:00:00.000Z';

function buildRecordSchema(name: ModelName): z.ZodType<KomboRecord> {
  const model = getModel(name);
  const shape: Record<string, z.ZodType> = {};
  for (const [field, spec] of Object.entries(model.fields)) shape[field] = fieldSchema(spec);
  // A model without change stamps gets fixed ones (built once per model: no cost for the others); the record's
  // text as received, which the mirror stores as `raw`, keeps leaving them out.
  const isStamped = model.hasChangeStamps !== false;
  return z.looseObject({
    ...shape,
    id: z.string().min(1),
    changed_at: isStamped ? isoDateTimeSchema : isoDateTimeSchema.default(UNSTAMPED_CHANGED_AT),
    remote_deleted_at: isStamped ? isoDateTimeSchema.nullable() : isoDateTimeSchema.nullable().default(null),
  }) as unknown as z.ZodType<KomboRecord>;
}

/** The zod schema of each catalog model's records, derived from the catalog's fields. Unknown fields are kept. */
export const RECORD_SCHEMAS = Object.fromEntries(
  MODELS.map((model) => [model.name, buildRecordSchema(model.name)]),
) as Record<ModelName, z.ZodType<KomboRecord>>;

/** The list envelope `{ status: 'success', data: { next, results } }`; records are checked one by one after it. */
export const pageEnvelopeSchema = z.looseObject({
  status: z.literal('success'),
  data: z.looseObject({
    next: z.string().nullable().optional(),
    results: z.array(z.unknown()),
  }),
});

/** A record of a page that breaks its model's schema but has an id: handed over to be set aside, not stored. */
export interface RejectedRecord {
  /** The record's `id` (a non-empty string). */
  id: string;
  /** Position of the record in the page's `data.results`. */
  index: number;
  /** Names the model, the record id, the first bad field and zod's message; never the record's values. */
  error: KomboMalformedResponseError;
}

export interface ParsedPage {
  /** The records that match their schema, in page order. */
  results: KomboRecord[];
  /** Positions of `results` in the page's `data.results` (they differ from 0..n-1 only when records were rejected). */
  resultIndexes: number[];
  /** Records that break the schema but carry an id, in page order. */
  rejected: RejectedRecord[];
  /** The cursor of the next page, or null at the end (Kombo's empty string counts as the end too). */
  next: string | null;
}

/**
 * Validates a list response body (already JSON-parsed) against the envelope and every record against its model's
 * schema. A record that breaks its schema but has a non-empty string `id` is returned in `rejected` (so one bad
 * record does not fail its page); one without a usable id, or a bad envelope, throws KomboMalformedResponseError
 * naming the model, the first bad field and the record id or position.
 */
export function parsePage(model: ModelName, body: unknown): ParsedPage {
  const envelope = pageEnvelopeSchema.safeParse(body);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new KomboMalformedResponseError(
      `Kombo ${model}: response is not a list envelope (${field || 'body'}: ${issue?.message ?? 'invalid'})`,
      { code: 'CLIENT.INVALID_ENVELOPE', isRetryable: false, model, field },
    );
  }
  const schema = RECORD_SCHEMAS[model];
  const raw = envelope.data.data.results;
  const results: KomboRecord[] = [];
  const resultIndexes: number[] = [];
  const rejected: RejectedRecord[] = [];
  for (let index = 0; index < raw.length; index++) {
    const record = raw[index];
    const parsed = schema.safeParse(record);
    if (parsed.success) {
      results.push(parsed.data);
      resultIndexes.push(index);
      continue;
    }
    const error = recordError(model, index, record, parsed.error);
    if (error.recordId === undefined) throw error;
    rejected.push({ id: error.recordId, index, error });
  }
  return { results, resultIndexes, rejected, next: envelope.data.data.next || null };
}

/** Characters of a record id an error message shows; a longer id (a poison record) is cut, with its length. */
const SHOWN_ID_CHARS = 64;

function shownId(id: string): string {
  if (id.length <= SHOWN_ID_CHARS) return JSON.stringify(id);
  return `${JSON.stringify(id.slice(0, SHOWN_ID_CHARS))}… (an id of ${id.length} characters)`;
}

function recordError(
  model: ModelName,
  index: number,
  record: unknown,
  error: z.ZodError,
): KomboMalformedResponseError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join('.') || '(record)';
  const id = typeof record === 'object' && record !== null ? (record as { id?: unknown }).id : undefined;
  const recordId = typeof id === 'string' && id !== '' ? id : undefined;
  const which = recordId === undefined ? `record #${index}` : `record ${shownId(recordId)}`;
  return new KomboMalformedResponseError(
    `Kombo ${model}: ${which} breaks the schema at field ${field}: ${issue?.message ?? 'invalid'}`,
    recordId === undefined
      ? { code: 'CLIENT.SCHEMA_VIOLATION', isRetryable: false, model, field }
      : { code: 'CLIENT.SCHEMA_VIOLATION', isRetryable: false, model, field, recordId },
  );
}
