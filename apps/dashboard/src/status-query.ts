import {
  DEFAULT_STATUS_PAGE_SIZE,
  isStatusFilterName,
  MAX_STATUS_PAGE_SIZE,
  STATUS_FILTER_NAMES,
  type StatusFilterName,
  type StatusQuery,
} from '@kombo-sync/db';
import { isEnvironmentName } from '@kombo-sync/config';
import { DashboardError } from './dashboard-error.js';

/** What the status page and `/api/integrations` take from the URL: a {@link StatusQuery} without the clock. */
export type StatusSelection = Omit<StatusQuery, 'now' | 'lagThresholdMs'> & {
  filters: StatusFilterName[];
  limit: number;
};

/** Longest text accepted in a search, category, tool or cursor parameter. */
const MAX_PARAMETER_LENGTH = 200;

function single(name: string, value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > MAX_PARAMETER_LENGTH)
    throw new DashboardError(
      400,
      'BAD_QUERY',
      `${name} must be one text of at most ${MAX_PARAMETER_LENGTH} characters`,
    );
  if (value.includes('\u0000')) throw new DashboardError(400, 'BAD_QUERY', `${name} must not contain NUL`);
  return value;
}

/** `environment`: `default` or a name KOMBO_ENVIRONMENTS may list; a 400 otherwise. */
function environmentParameter(value: unknown): string | undefined {
  const environment = single('environment', value);
  if (environment === undefined || isEnvironmentName(environment)) return environment;
  throw new DashboardError(
    400,
    'BAD_QUERY',
    'environment must be default or an environment name (a lower-case letter, then up to 15 letters or digits)',
  );
}

/**
 * Reads `?filter=failing,lagging` (repeatable, comma-separated: any of them), `category`, `tool`, `environment`,
 * `q` (search),
 * `after`/`before` (keyset cursors: an integration id) and `limit` (1..500, default 50); a 400 names what is wrong.
 */
export function parseStatusSelection(query: Record<string, unknown>): StatusSelection {
  const rawFilters =
    query.filter === undefined ? [] : Array.isArray(query.filter) ? query.filter : [query.filter];
  const filters = new Set<StatusFilterName>();
  for (const value of rawFilters) {
    for (const name of (single('filter', value) ?? '').split(',').map((part) => part.trim())) {
      if (name === '' || name === 'all') continue;
      if (!isStatusFilterName(name))
        throw new DashboardError(
          400,
          'BAD_FILTER',
          `filter must be any of ${STATUS_FILTER_NAMES.join(', ')}`,
        );
      filters.add(name);
    }
  }
  const limitText = single('limit', query.limit);
  const limit = limitText === undefined ? DEFAULT_STATUS_PAGE_SIZE : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_STATUS_PAGE_SIZE)
    throw new DashboardError(
      400,
      'BAD_QUERY',
      `limit must be a whole number from 1 to ${MAX_STATUS_PAGE_SIZE}`,
    );
  const after = single('after', query.after);
  const before = single('before', query.before);
  if (after !== undefined && before !== undefined)
    throw new DashboardError(400, 'BAD_QUERY', 'after and before cannot be used together');
  const category = single('category', query.category);
  const tool = single('tool', query.tool);
  const environment = environmentParameter(query.environment);
  const search = single('q', query.q);
  return {
    filters: [...filters],
    limit,
    ...(category === undefined ? {} : { category }),
    ...(tool === undefined ? {} : { tool }),
    ...(environment === undefined ? {} : { environment }),
    ...(search === undefined ? {} : { search }),
    ...(after === undefined ? {} : { after }),
    ...(before === undefined ? {} : { before }),
  };
}

/**
 * The query string of `selection` with `change` applied, for links: a cursor (`after`/`before`) only when `change`
 * has one, so a link that changes the selection starts at its first page. Empty parameters are left out, the page
 * size when it is the default.
 */
export function selectionQueryString(
  selection: StatusSelection,
  change: Partial<StatusSelection> = {},
): string {
  const { after: _after, before: _before, ...rest } = selection;
  const next: Partial<StatusSelection> & Pick<StatusSelection, 'filters' | 'limit'> = { ...rest, ...change };
  const params = new URLSearchParams();
  if (next.filters.length > 0) params.set('filter', next.filters.join(','));
  if (next.category) params.set('category', next.category);
  if (next.tool) params.set('tool', next.tool);
  if (next.environment) params.set('environment', next.environment);
  if (next.search) params.set('q', next.search);
  if (next.after !== undefined) params.set('after', next.after);
  if (next.before !== undefined) params.set('before', next.before);
  if (next.limit !== DEFAULT_STATUS_PAGE_SIZE) params.set('limit', String(next.limit));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
