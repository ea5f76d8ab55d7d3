import { setTimeout as delay } from 'node:timers/promises';
import { SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { z } from 'zod';
import { getModel, type KomboRejectedRecord, type ModelName } from '@kombo-sync/catalog';
import { defaultsOf, komboSettings, syncSettings } from '@kombo-sync/config';
import { KomboError, KomboMalformedResponseError, KomboRepeatedCursorError } from './errors.js';
import { listResultsText } from './list-results-text.js';
import { parsePage, type KomboRecord } from './record-schemas.js';
import {
  createRequester,
  type JsonResponse,
  type KomboLogger,
  type KomboRequestEvent,
  type Requester,
} from './request.js';
import type { KomboRequestBudget } from './request-budget.js';

/** Kombo's EU API (the default region). US: https://api.us.kombo.dev/v1. */
export const KOMBO_EU_BASE_URL = 'https://api.kombo.dev/v1';

export interface KomboClientOptions {
  /** API base URL including `/v1`, e.g. KOMBO_EU_BASE_URL, the US URL or a sandbox. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; never appears in errors or logs. */
  apiKey: string;
  /** Per request attempt, in ms. Default: KOMBO_TIMEOUT_MS's. */
  timeoutMs?: number;
  /** In-client retries of short transient faults after the first attempt. Default: KOMBO_MAX_RETRIES's. */
  maxRetries?: number;
  /** Longest wait (Retry-After or backoff) the client sleeps through; longer ones are thrown with retryAfterMs. Default: KOMBO_MAX_RETRY_WAIT_MS's. */
  maxRetryWaitMs?: number;
  logger?: KomboLogger;
  /** Injectable for tests. Default: a real timer. */
  sleep?: (ms: number) => Promise<void>;
  /** Called after every HTTP attempt (metrics hook). */
  onRequest?: (event: KomboRequestEvent) => void;
  /**
   * Waited on before every HTTP attempt (pages, getIntegration, checkApiKey, komboTime, in-client retries) and told
   * about key-wide 429s. Default: none, every request goes at once.
   */
  budget?: KomboRequestBudget;
  /** Spans `fetch page` per page of `pages()`. Default the OpenTelemetry API's global tracer (no-op without an SDK). */
  tracer?: Tracer;
}

export interface PagesOptions {
  /** Sent as `X-Integration-Id`. */
  integrationId: string;
  /** Only records changed (or with changed nested data) after this instant; omitted for a full pass. */
  updatedAfter?: Date;
  /** Include records Kombo marked deleted (`remote_deleted_at`). Default true. */
  includeDeleted?: boolean;
  /** Records per page, 1..250. Default 250. */
  pageSize?: number;
  /**
   * Only these record ids (Kombo's `ids` filter, sent comma-separated; at most 100). Ids whose filter would make the
   * URL too long ({@link MAX_IDS_PARAM_LENGTH}) are asked for in several requests, one listing after the other.
   * Default: every record.
   */
  ids?: readonly string[];
  /**
   * Start at this cursor (a `next` of an earlier page of the same listing, e.g. a resumed pass's checkpoint) instead
   * of the first page; the filters must be the ones that listing had. Kombo answers a cursor it no longer accepts
   * with `PLATFORM.INPUT_INVALID` (400). Default: the first page.
   */
  cursor?: string;
  signal?: AbortSignal;
}

export type { KomboRejectedRecord };

/**
 * Longest `ids` filter one request sends, in characters once URL-encoded. Servers refuse long request lines (HTTP
 * 414 or 431; 8 KB is a common limit for the whole head): with this, the rest of the URL and the headers have room.
 * A record id the mirror stores (`MAX_RECORD_ID_BYTES` of packages/catalog) always fits.
 */
export const MAX_IDS_PARAM_LENGTH = 4_000;

/** `ids` in groups whose comma-joined filter stays within {@link MAX_IDS_PARAM_LENGTH} once URL-encoded. */
export function groupIdsForUrl(ids: readonly string[]): (readonly string[])[] {
  const groups: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const id of ids) {
    // URLSearchParams' encoding, as got sends searchParams; the comma between two ids is `%2C`.
    const idLength = new URLSearchParams({ i: id }).toString().length - 2;
    if (idLength > MAX_IDS_PARAM_LENGTH) {
      throw invalidArgument(`an id of ${idLength} URL-encoded characters exceeds ${MAX_IDS_PARAM_LENGTH}`);
    }
    if (current.length > 0 && length + 3 + idLength > MAX_IDS_PARAM_LENGTH) {
      groups.push(current);
      current = [];
      length = 0;
    }
    length += (current.length > 0 ? 3 : 0) + idLength;
    current.push(id);
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

export interface KomboPage {
  results: KomboRecord[];
  /**
   * Each record's JSON text exactly as Kombo sent it, aligned with `results` (what the mirror stores, without
   * serialising the parsed records again). Absent when the body could not be split that way.
   */
  rawResults?: string[];
  /** Records that break their model's schema but have an id (absent when none did); a record without one fails the page. */
  rejected?: KomboRejectedRecord[];
  next: string | null;
  /** Kombo-side time of the response, from its `Date` header. */
  komboTime: Date;
}

const integrationSchema = z.looseObject({
  id: z.string().min(1),
  tool: z.looseObject({ id: z.string() }),
  category: z.string(),
  status: z.string(),
  setup_status: z.string(),
  data_expired_at: z.string().nullable().optional(),
  read_models: z.array(z.looseObject({ id: z.string(), is_available: z.boolean() })).optional(),
});
export type KomboIntegration = z.infer<typeof integrationSchema>;

/** `GET /integrations/{id}/custom-fields`: the customer's custom fields and the integration field each maps to. */
const customFieldSchema = z.looseObject({
  id: z.string().min(1),
  key: z.string(),
  model: z.string(),
  label: z.string().nullable(),
  description: z.string().nullable(),
  integration_field: z
    .looseObject({ id: z.string(), key: z.string(), type: z.string(), label: z.string().nullable() })
    .nullable(),
});
/** `GET /integrations/{id}/integration-fields`: the fields of the connected tool Kombo can pass through. */
const integrationFieldSchema = z.looseObject({
  id: z.string().min(1),
  key: z.string(),
  model: z.string(),
  type: z.string(),
  label: z.string().nullable(),
  is_passthrough_enabled: z.boolean(),
});
export type KomboCustomField = z.infer<typeof customFieldSchema>;
export type KomboIntegrationField = z.infer<typeof integrationFieldSchema>;

/** The two per-integration field definition listings, by the path segment that names them. */
const FIELD_DEFINITIONS = {
  'custom-fields': { schema: customFieldSchema, maxPageSize: 250 },
  'integration-fields': { schema: integrationFieldSchema, maxPageSize: 2000 },
} as const;
export type FieldDefinitionKind = keyof typeof FIELD_DEFINITIONS;
export interface KomboFieldDefinitions<K extends FieldDefinitionKind> {
  results: (K extends 'custom-fields' ? KomboCustomField : KomboIntegrationField)[];
  /** Kombo-side time of the first page's response. */
  komboTime: Date;
}

const fieldPageSchema = z.looseObject({
  results: z.array(z.unknown()),
  next: z.string().nullable().optional(),
});

const apiKeyInfoSchema = z.looseObject({ environment_id: z.string(), customer_id: z.string().optional() });
export type KomboApiKeyInfo = z.infer<typeof apiKeyInfoSchema>;

export interface KomboClient {
  /**
   * Every page of a model's list endpoint, following `next` until it is null; filters re-sent on every page. For a
   * model whose endpoint has no list parameters (catalog `paging: 'none'`) `updatedAfter`, `includeDeleted` and
   * `pageSize` are not sent: the whole list comes back (one page), without deleted records.
   */
  pages(model: ModelName, options: PagesOptions): AsyncIterableIterator<KomboPage>;
  /** `GET /integrations/:id`: tool, status, setup status, read models. */
  getIntegration(integrationId: string): Promise<KomboIntegration>;
  /**
   * Every page of `GET /integrations/{id}/custom-fields` or `…/integration-fields` (at the endpoint's largest page
   * size, 250 and 2000), following `next`. A definition that breaks its schema fails the listing (no partial list:
   * what is missing from it would count as removed).
   */
  fieldDefinitions<K extends FieldDefinitionKind>(
    kind: K,
    integrationId: string,
    options?: { signal?: AbortSignal },
  ): Promise<KomboFieldDefinitions<K>>;
  /** `GET /check-api-key`: throws KomboAuthenticationError for a bad key. */
  checkApiKey(): Promise<KomboApiKeyInfo>;
  /** Kombo's current time, from the `Date` header of a cheap request (1 s resolution). */
  komboTime(): Promise<Date>;
  /** Closes idle keep-alive sockets. */
  close(): void;
}

function dataOf<T>(schema: z.ZodType<T>, body: unknown, where: string): T {
  const envelope = z.looseObject({ status: z.literal('success'), data: schema }).safeParse(body);
  if (envelope.success) return envelope.data.data;
  const field = envelope.error.issues[0]?.path.join('.') ?? '';
  throw new KomboMalformedResponseError(`Kombo ${where}: unexpected response (${field || 'body'})`, {
    code: 'CLIENT.INVALID_ENVELOPE',
    isRetryable: false,
    field,
  });
}

/** `data.results[index]` of a list body parsePage accepted. */
function recordAt(body: unknown, index: number): unknown {
  return (body as { data: { results: unknown[] } }).data.results[index];
}

function invalidArgument(message: string): KomboError {
  return new KomboError(message, { code: 'CLIENT.INVALID_ARGUMENT', isRetryable: false });
}

const KOMBO_DEFAULTS = defaultsOf(komboSettings);
/** The client's defaults: those of the KOMBO_* settings (packages/config), and a real timer. */
const CLIENT_DEFAULTS = {
  timeoutMs: KOMBO_DEFAULTS.komboTimeoutMs,
  maxRetries: KOMBO_DEFAULTS.komboMaxRetries,
  maxRetryWaitMs: KOMBO_DEFAULTS.komboMaxRetryWaitMs,
  sleep: (ms: number): Promise<void> => delay(ms),
};
const DEFAULT_PAGE_SIZE = defaultsOf(syncSettings).pageSize;

/**
 * The query of a model's list endpoint for `options` (validated): Kombo's list filters, and the groups of `ids`
 * ({@link groupIdsForUrl}), each a listing of its own.
 */
function listQuery(
  model: ModelName,
  options: PagesOptions,
): { path: string; filters: Record<string, string>; idGroups: (readonly string[] | undefined)[] } {
  const { updatedAfter, includeDeleted = true, pageSize = DEFAULT_PAGE_SIZE, ids } = options;
  const { path, paging = 'cursor' } = getModel(model);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 250) {
    throw invalidArgument(`pageSize must be an integer in 1..250, got ${pageSize}`);
  }
  if (updatedAfter && Number.isNaN(updatedAfter.getTime()))
    throw invalidArgument('updatedAfter is an invalid Date');
  if (ids && (ids.length === 0 || ids.length > 100 || ids.some((id) => id === '' || id.includes(',')))) {
    throw invalidArgument('ids must be 1..100 non-empty ids without commas');
  }
  // An endpoint without Kombo's list parameters (catalog `paging: 'none'`) gets `ids` at most: every pass reads
  // its whole list (a delta too) and deleted records are left out; a `next` is still followed as `cursor`.
  const filters: Record<string, string> =
    paging === 'cursor' ? { include_deleted: String(includeDeleted), page_size: String(pageSize) } : {};
  // toISOString() is exactly Kombo's format: YYYY-MM-DDTHH:mm:ss.sssZ.
  if (updatedAfter && paging === 'cursor') filters['updated_after'] = updatedAfter.toISOString();
  return { path, filters, idGroups: ids ? groupIdsForUrl(ids) : [undefined] };
}

/** A list response as a page: its valid records (with their raw text when it lines up), rejects and cursor. */
function pageOf(model: ModelName, response: JsonResponse, followed: ReadonlySet<string>): KomboPage {
  const page = parsePage(model, response.body);
  if (page.next !== null && followed.has(page.next)) {
    throw new KomboRepeatedCursorError(
      `Kombo ${model}: next cursor repeats one already followed after ${followed.size + 1} pages`,
      { code: 'CLIENT.REPEATED_CURSOR', isRetryable: true, model },
    );
  }
  const texts = listResultsText(response.text);
  const isAligned = texts?.length === page.results.length + page.rejected.length;
  const rawResults = isAligned ? page.resultIndexes.map((index) => texts[index]!) : undefined;
  const rejected = page.rejected.map(({ id, index, error }) => ({
    id,
    reason: error.message,
    text: (isAligned ? texts[index] : undefined) ?? JSON.stringify(recordAt(response.body, index)),
  }));
  return {
    results: page.results,
    ...(rawResults ? { rawResults } : {}),
    ...(rejected.length > 0 ? { rejected } : {}),
    next: page.next,
    komboTime: response.komboTime,
  };
}

/**
 * Reads one page in its span `fetch page` (its HTTP attempts, in-client retries and budget waits included), never
 * the cursor or the records: ids, counts and the outcome's code only.
 */
function tracePage(
  tracer: Tracer,
  at: { integrationId: string; model: ModelName; pageIndex: number },
  readPage: () => Promise<KomboPage>,
): Promise<KomboPage> {
  const attributes = {
    'kombo_sync.integration_id': at.integrationId,
    'kombo_sync.model': at.model,
    'kombo_sync.page.index': at.pageIndex,
  };
  return tracer.startActiveSpan('fetch page', { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const read = await readPage();
      if (span.isRecording()) {
        span.setAttributes({
          'kombo_sync.page.records': read.results.length,
          'kombo_sync.page.rejected': read.rejected?.length ?? 0,
          'kombo_sync.page.has_next': read.next !== null,
        });
      }
      return read;
    } catch (err) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: err instanceof KomboError ? err.code : 'CLIENT.ERROR',
      });
      throw err;
    } finally {
      span.end();
    }
  });
}

/** The pages of `model`, following Kombo's cursor until it ends (see {@link KomboClient.pages}). */
async function* listPages(
  requester: Requester,
  tracer: Tracer,
  model: ModelName,
  options: PagesOptions,
): AsyncIterableIterator<KomboPage> {
  const { integrationId, signal } = options;
  const { path, filters, idGroups } = listQuery(model, options);
  const followed = new Set<string>();
  let cursor: string | null = options.cursor ?? null;
  let group: readonly string[] | undefined;
  const readPage = async (): Promise<KomboPage> => {
    const listing = group ? { ...filters, ids: group.join(',') } : filters;
    const searchParams = cursor === null ? listing : { ...listing, cursor };
    const response = await requester.getJson(path, { integrationId, searchParams, model, signal });
    return pageOf(model, response, followed);
  };
  let pageIndex = 0;
  for (group of idGroups) {
    // Each group of ids is a listing of its own (a `cursor` given belongs to the first).
    if (group !== idGroups[0]) {
      followed.clear();
      cursor = null;
    }
    for (; ; pageIndex += 1) {
      const page = await tracePage(tracer, { integrationId, model, pageIndex }, readPage);
      yield page;
      if (page.next === null) {
        pageIndex += 1;
        break;
      }
      followed.add(page.next);
      cursor = page.next;
    }
  }
}

/** Every definition of `kind` of an integration, page by page (see {@link KomboClient.fieldDefinitions}). */
async function listFieldDefinitions<K extends FieldDefinitionKind>(
  requester: Requester,
  kind: K,
  integrationId: string,
  { signal }: { signal?: AbortSignal } = {},
): Promise<KomboFieldDefinitions<K>> {
  const { schema, maxPageSize } = FIELD_DEFINITIONS[kind];
  const path = `/integrations/${encodeURIComponent(integrationId)}/${kind}`;
  const results: unknown[] = [];
  const followed = new Set<string>();
  let cursor: string | null = null;
  let komboTime: Date | undefined;
  do {
    const searchParams: Record<string, string> = { page_size: String(maxPageSize) };
    if (cursor !== null) searchParams['cursor'] = cursor;
    const response = await requester.getJson(path, {
      budgetIntegrationId: integrationId,
      searchParams,
      ...(signal ? { signal } : {}),
    });
    komboTime ??= response.komboTime;
    const page = dataOf(fieldPageSchema, response.body, path);
    page.results.forEach((result, index) => {
      const parsed = schema.safeParse(result);
      if (!parsed.success) {
        const field = parsed.error.issues[0]?.path.join('.') ?? '';
        throw new KomboMalformedResponseError(
          `Kombo ${path}: unexpected definition (results.${index}.${field})`,
          {
            code: 'CLIENT.SCHEMA_VIOLATION',
            isRetryable: false,
            field,
          },
        );
      }
      results.push(parsed.data);
    });
    cursor = page.next ? page.next : null;
    if (cursor !== null && followed.has(cursor)) {
      throw new KomboRepeatedCursorError(`Kombo ${path}: next cursor repeats one already followed`, {
        code: 'CLIENT.REPEATED_CURSOR',
        isRetryable: true,
      });
    }
    if (cursor !== null) followed.add(cursor);
  } while (cursor !== null);
  return { results, komboTime } as KomboFieldDefinitions<K>;
}

/** Builds a Kombo API client. No request is made until a method is called. */
export function createKomboClient(given: KomboClientOptions): KomboClient {
  const options = { ...CLIENT_DEFAULTS, ...given };
  const requester = createRequester({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs,
    maxRetries: options.maxRetries,
    maxRetryWaitMs: options.maxRetryWaitMs,
    sleep: options.sleep,
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.onRequest ? { onRequest: options.onRequest } : {}),
    ...(options.budget ? { budget: options.budget } : {}),
  });
  const tracer = options.tracer ?? trace.getTracer('@kombo-sync/kombo');

  return {
    pages: (model, pagesOptions) => listPages(requester, tracer, model, pagesOptions),
    async getIntegration(integrationId) {
      const path = `/integrations/${encodeURIComponent(integrationId)}`;
      const response = await requester.getJson(path, { budgetIntegrationId: integrationId });
      return dataOf(integrationSchema, response.body, path);
    },
    fieldDefinitions: (kind, integrationId, options) =>
      listFieldDefinitions(requester, kind, integrationId, options),
    async checkApiKey() {
      const response = await requester.getJson('/check-api-key');
      return dataOf(apiKeyInfoSchema, response.body, '/check-api-key');
    },
    async komboTime() {
      return (await requester.getJson('/check-api-key')).komboTime;
    },
    close: () => requester.close(),
  };
}
