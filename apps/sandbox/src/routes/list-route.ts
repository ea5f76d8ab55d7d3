import type { Request, Response } from 'express';
import type { ModelSpec, ModelName } from '@kombo-sync/catalog';
import { listPage, type ListFilter } from '../data/records.js';
import { hashString } from '../data/random.js';
import type { IntegrationState } from '../data/store.js';
import { sendKomboError } from '../errors.js';
import type { FaultDecision } from '../faults.js';

const UPDATED_AFTER = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?)?Z?$/;

class InputError extends Error {}

function single(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new InputError(`Query parameter ${name} must be given once.`);
  return value;
}

interface ParsedQuery {
  filter: ListFilter;
  pageSize: number;
  position: number;
  cursor: string | undefined;
  filterHash: string;
}

/** Kombo's list parameters that an endpoint without paging (catalog `paging: 'none'`) does not declare. */
const PAGING_PARAMETERS = ['cursor', 'page_size', 'updated_after', 'include_deleted'] as const;

/** Validates the list query like Kombo (page_size 1..250, default 100; cursors bound to their filters). */
function parseQuery(spec: ModelSpec, query: Request['query']): ParsedQuery {
  const model = spec.name as ModelName;
  if (spec.paging === 'none') return parseUnpagedQuery(model, query);
  const pageSizeText = single(query.page_size, 'page_size');
  const pageSize = pageSizeText === undefined ? 100 : Number(pageSizeText);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 250) {
    throw new InputError('page_size must be an integer between 1 and 250.');
  }
  const updatedAfter = single(query.updated_after, 'updated_after');
  let updatedAfterMs: number | undefined;
  if (updatedAfter !== undefined) {
    updatedAfterMs = Date.parse(
      updatedAfter.endsWith('Z') || updatedAfter.length === 10 ? updatedAfter : `${updatedAfter}Z`,
    );
    if (!UPDATED_AFTER.test(updatedAfter) || Number.isNaN(updatedAfterMs)) {
      throw new InputError('updated_after must be an ISO-8601 date-time such as 2024-01-01T00:00:00.000Z.');
    }
  }
  const includeDeleted = single(query.include_deleted, 'include_deleted') ?? 'false';
  if (includeDeleted !== 'true' && includeDeleted !== 'false') {
    throw new InputError('include_deleted must be "true" or "false".');
  }
  const idsText = single(query.ids, 'ids');
  const ids =
    idsText === undefined
      ? undefined
      : idsText
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean);
  const filterHash = hashString(
    `${model}|${updatedAfterMs ?? ''}|${includeDeleted}|${ids?.join(',') ?? ''}`,
  ).toString(36);
  const cursor = single(query.cursor, 'cursor');
  let position = 0;
  if (cursor !== undefined) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      throw new InputError('The cursor is invalid.');
    }
    const { p, h } = (decoded ?? {}) as { p?: unknown; h?: unknown };
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || typeof h !== 'string') {
      throw new InputError('The cursor is invalid.');
    }
    if (h !== filterHash) throw new InputError('The cursor was issued for different filters.');
    position = p;
  }
  return {
    filter: { updatedAfterMs, isIncludingDeleted: includeDeleted === 'true', ids },
    pageSize,
    position,
    cursor,
    filterHash,
  };
}

/**
 * The query of an endpoint whose spec declares no paging parameters (the closed-beta skill endpoints): only `ids`
 * (and the endpoint's own filters, which the sandbox ignores). The whole list is one page, deleted records left
 * out. A paging parameter is refused, so a client that sends one is noticed.
 */
function parseUnpagedQuery(model: ModelName, query: Request['query']): ParsedQuery {
  for (const name of PAGING_PARAMETERS) {
    if (query[name] !== undefined) throw new InputError(`${name} is not a parameter of this endpoint.`);
  }
  const idsText = single(query.ids, 'ids');
  const ids = idsText
    ?.split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  return {
    filter: { isIncludingDeleted: false, ...(ids ? { ids } : {}) },
    pageSize: Number.MAX_SAFE_INTEGER,
    position: 0,
    cursor: undefined,
    filterHash: hashString(`${model}|${ids?.join(',') ?? ''}`).toString(36),
  };
}

export const encodeCursor = (position: number, filterHash: string): string =>
  Buffer.from(JSON.stringify({ p: position, h: filterHash })).toString('base64url');

/** Serves one page of a model's list endpoint, applying body-level faults (the route already applied the rest). */
/**
 * The list body, with the texts of poisoned records (`poisoned`, by `integrationId|model|recordId`) spliced in
 * verbatim in place of their records.
 */
function poisonedBody(
  integrationId: string,
  model: string,
  next: string | null,
  results: readonly Record<string, unknown>[],
  poisoned: ReadonlyMap<string, string>,
): string {
  const prefix = `${integrationId}|${model}|`;
  const isPoisoned = poisoned.size > 0 && [...poisoned.keys()].some((key) => key.startsWith(prefix));
  if (!isPoisoned) return JSON.stringify({ status: 'success', data: { next, results } });
  const texts = results.map(
    (record) => poisoned.get(`${prefix}${String(record['id'])}`) ?? JSON.stringify(record),
  );
  return `{"status":"success","data":{"next":${JSON.stringify(next)},"results":[${texts.join(',')}]}}`;
}

export async function serveList(
  req: Request,
  res: Response,
  state: IntegrationState,
  model: ModelSpec,
  fault: FaultDecision | undefined,
  poisoned: ReadonlyMap<string, string> = new Map(),
): Promise<void> {
  let parsed: ParsedQuery;
  try {
    parsed = parseQuery(model, req.query);
  } catch (err) {
    if (err instanceof InputError) return sendKomboError(res, 400, 'PLATFORM.INPUT_INVALID', err.message);
    throw err;
  }
  if (fault?.fault === 'latency') await new Promise((resolve) => setTimeout(resolve, fault.latencyMs));
  if (res.destroyed) return;
  const page = listPage(state, model.name as ModelName, parsed.filter, parsed.position, parsed.pageSize);
  let next = page.nextPosition === null ? null : encodeCursor(page.nextPosition, parsed.filterHash);
  let results = page.results;
  if (fault?.fault === 'repeat_cursor') next = parsed.cursor ?? next;
  if (fault?.fault === 'schema_break' && results.length > 0) {
    results = [{ ...results[0], changed_at: 'not-a-date' }, ...results.slice(1)];
  }
  const body = poisonedBody(state.id, model.name, next, results, poisoned);
  res.status(200).type('application/json');
  if (fault?.fault === 'malformed_json') {
    res.send(body.slice(0, Math.max(10, Math.floor(body.length / 2))) + '\u0000}{');
    return;
  }
  if (fault?.fault === 'truncated_body') {
    const bytes = Buffer.from(body);
    res.setHeader('Content-Length', String(bytes.length));
    res.write(bytes.subarray(0, Math.floor(bytes.length / 2)), () => res.socket?.destroy());
    return;
  }
  res.send(body);
}
