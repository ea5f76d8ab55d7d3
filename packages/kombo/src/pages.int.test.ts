import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createKomboClient, type KomboClient, type KomboPage } from './client.js';
import type { KomboRequestEvent } from './request.js';
import { KomboMalformedResponseError, KomboRepeatedCursorError } from './errors.js';

const API_KEY = 'sk_test_pages_secret_key';
const KOMBO_DATE = 'Wed, 01 Jan 2025 12:00:00 GMT';

type Handler = (url: URL, res: ServerResponse) => void;
let handler: Handler = (_url, res) => res.end();
const seen: { url: URL; headers: IncomingHttpHeaders }[] = [];
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  seen.push({ url, headers: req.headers });
  handler(url, res);
});
function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', date: KOMBO_DATE });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
const employee = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  changed_at: '2024-12-31T23:59:59.123Z',
  remote_deleted_at: null,
  first_name: `Name ${id}`,
  weekly_hours: 40,
  some_future_field: { kept: true },
  ...extra,
});

let client: KomboClient;
const events: KomboRequestEvent[] = [];
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = createKomboClient({
    baseUrl: `http://127.0.0.1:${port}/v1/`,
    apiKey: API_KEY,
    maxRetries: 0,
    onRequest: (event) => events.push(event),
  });
});
afterAll(async () => {
  client.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  events.length = 0;
});

async function collect(iterator: AsyncIterableIterator<KomboPage>): Promise<KomboPage[]> {
  const pages: KomboPage[] = [];
  for await (const page of iterator) pages.push(page);
  return pages;
}

describe('client.pages', () => {
  it('follows next to the end across many pages and re-sends the filters on every page', async () => {
    const total = 103;
    handler = (url, res) => {
      const offset = Number(url.searchParams.get('cursor') ?? '0');
      const size = Number(url.searchParams.get('page_size'));
      const results = Array.from({ length: Math.min(size, total - offset) }, (_, i) =>
        employee(`e${offset + i}`),
      );
      const next = offset + size < total ? String(offset + size) : null;
      sendJson(res, 200, { status: 'success', data: { next, results } });
    };
    const updatedAfter = new Date('2024-06-01T08:30:00.000Z');
    const pages = await collect(
      client.pages('hris_employees', {
        integrationId: 'personio:abc',
        updatedAfter,
        includeDeleted: true,
        pageSize: 10,
      }),
    );
    expect(pages).toHaveLength(11);
    const ids = pages.flatMap((page) => page.results.map((record) => record.id));
    expect(ids).toEqual(Array.from({ length: total }, (_, i) => `e${i}`));
    expect(pages[0]?.results[0]?.['some_future_field']).toEqual({ kept: true });
    expect(pages.at(-1)?.next).toBeNull();
    expect(pages[0]?.komboTime).toEqual(new Date(KOMBO_DATE));
    expect(seen).toHaveLength(11);
    seen.forEach(({ url, headers }, index) => {
      expect(url.pathname).toBe('/v1/hris/employees');
      expect(url.searchParams.get('updated_after')).toBe('2024-06-01T08:30:00.000Z');
      expect(url.searchParams.get('include_deleted')).toBe('true');
      expect(url.searchParams.get('page_size')).toBe('10');
      expect(url.searchParams.get('cursor')).toBe(index === 0 ? null : String(index * 10));
      expect(headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(headers['x-integration-id']).toBe('personio:abc');
    });
  });

  it('defaults to include_deleted=true and page_size=250 without updated_after; empty next ends', async () => {
    handler = (_url, res) => sendJson(res, 200, { status: 'success', data: { next: '', results: [] } });
    const pages = await collect(client.pages('ats_tags', { integrationId: 'greenhouse:x' }));
    expect(pages).toEqual([{ results: [], rawResults: [], next: null, komboTime: new Date(KOMBO_DATE) }]);
    expect(seen[0]?.url.pathname).toBe('/v1/ats/tags');
    expect(Object.fromEntries(seen[0]?.url.searchParams ?? [])).toEqual({
      include_deleted: 'true',
      page_size: '250',
    });
  });

  it("gives each record's text exactly as sent, aligned with the parsed records", async () => {
    const results = [
      employee('a', { note: 'é "quoted" ]}' }),
      employee('b'),
      employee('c', { list: [{}, []] }),
    ];
    const body = JSON.stringify({ data: { results, next: null }, status: 'success' }, null, 2);
    handler = (_url, res) => sendJson(res, 200, body);
    const [page] = await collect(client.pages('hris_employees', { integrationId: 'personio:abc' }));
    expect(page?.results.map((record) => record.id)).toEqual(['a', 'b', 'c']);
    expect(page?.rawResults).toHaveLength(3);
    page?.rawResults?.forEach((text, index) => {
      expect(body).toContain(text);
      expect(JSON.parse(text)).toEqual(page.results[index]);
    });
    expect(page?.rawResults?.[0]).toContain('\n');
  });

  it('sends only ids to an endpoint without list parameters, and still follows a next as cursor', async () => {
    const assignment = (id: string) => ({ id, employee_id: 'e1', skill_id: 's1', current_level: null });
    handler = (url, res) => {
      const next = url.searchParams.get('cursor') === null ? 'more' : null;
      sendJson(res, 200, { status: 'success', data: { next, results: [assignment(next ? 'a1' : 'a2')] } });
    };
    const pages = await collect(
      client.pages('hris_employee_skill_assignments', {
        integrationId: 'personio:abc',
        updatedAfter: new Date('2024-06-01T08:30:00.000Z'),
        includeDeleted: true,
        pageSize: 10,
        ids: ['a1', 'a2'],
      }),
    );
    expect(seen.map(({ url }) => url.pathname)).toEqual([
      '/v1/hris/employee-skill-assignments',
      '/v1/hris/employee-skill-assignments',
    ]);
    expect(seen.map(({ url }) => Object.fromEntries(url.searchParams))).toEqual([
      { ids: 'a1,a2' },
      { ids: 'a1,a2', cursor: 'more' },
    ]);
    // No change stamps in these records: fixed ones in the parsed record, none in the text the mirror keeps.
    expect(pages.flatMap((page) => page.results)).toEqual([
      { ...assignment('a1'), changed_at: '1970-01-01T00:00:00.000Z', remote_deleted_at: null },
      { ...assignment('a2'), changed_at: '1970-01-01T00:00:00.000Z', remote_deleted_at: null },
    ]);
    expect(JSON.parse(pages[0]!.rawResults![0]!)).toEqual(assignment('a1'));
  });

  it('sends include_deleted=false when asked', async () => {
    handler = (_url, res) => sendJson(res, 200, { status: 'success', data: { next: null, results: [] } });
    await collect(client.pages('ats_tags', { integrationId: 'greenhouse:x', includeDeleted: false }));
    expect(seen[0]?.url.searchParams.get('include_deleted')).toBe('false');
  });

  it('stops a cursor that repeats one already followed', async () => {
    const nextOf: Record<string, string> = { start: 'c1', c1: 'c2', c2: 'c1' };
    handler = (url, res) => {
      const next = nextOf[url.searchParams.get('cursor') ?? 'start'];
      sendJson(res, 200, { status: 'success', data: { next, results: [employee(`at-${next}`)] } });
    };
    const pages: KomboPage[] = [];
    const run = async () => {
      for await (const page of client.pages('hris_employees', { integrationId: 'a:b' })) pages.push(page);
    };
    const error = await run().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KomboRepeatedCursorError);
    expect(error).toMatchObject({ code: 'CLIENT.REPEATED_CURSOR', model: 'hris_employees' });
    expect(pages).toHaveLength(2);
    expect(seen).toHaveLength(3);
  });

  it('rejects malformed JSON, a wrong envelope and a schema-breaking record without an id', async () => {
    const cases: [unknown, string, Record<string, unknown>][] = [
      ['{"status":"success","data":{"next":null,"resu', 'CLIENT.MALFORMED_JSON', {}],
      [{ status: 'success', data: { next: null, results: 'nope' } }, 'CLIENT.INVALID_ENVELOPE', {}],
      [{ data: { next: null, results: [] } }, 'CLIENT.INVALID_ENVELOPE', {}],
      [
        { status: 'success', data: { next: null, results: [employee('', {})] } },
        'CLIENT.SCHEMA_VIOLATION',
        { field: 'id', recordId: undefined },
      ],
    ];
    for (const [body, code, fields] of cases) {
      handler = (_url, res) => sendJson(res, 200, body);
      const error = await collect(client.pages('hris_employees', { integrationId: 'a:b' })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(KomboMalformedResponseError);
      expect(error).toMatchObject({ code, ...fields });
    }
  });

  it('hands schema-breaking records with an id over as rejected (reason naming the record, text as sent)', async () => {
    const cases: [Record<string, unknown>, Record<string, unknown>][] = [
      [
        employee('emp_42', { weekly_hours: 'x' }),
        { recordId: 'emp_42', field: 'weekly_hours', model: 'hris_employees' },
      ],
      [employee('emp_7', { changed_at: 'last tuesday' }), { recordId: 'emp_7', field: 'changed_at' }],
    ];
    for (const [bad, fields] of cases) {
      const text = JSON.stringify(bad).replace('{', '{ ');
      handler = (_url, res) =>
        sendJson(
          res,
          200,
          `{"status":"success","data":{"next":null,"results":[${JSON.stringify(employee('ok'))}, ${text}]}}`,
        );
      const [page] = await collect(client.pages('hris_employees', { integrationId: 'a:b' }));
      expect(page?.results.map((record) => record.id)).toEqual(['ok']);
      expect(page?.rawResults).toEqual([JSON.stringify(employee('ok'))]);
      expect(page?.rejected).toHaveLength(1);
      const rejected = page!.rejected![0]!;
      expect(rejected.id).toBe(fields['recordId']);
      expect(rejected.text).toBe(text);
      expect(rejected.reason).toContain(String(fields['recordId']));
      expect(rejected.reason).toContain(`field ${String(fields['field'])}`);
      expect(rejected.reason).toContain('breaks the schema');
      expect(rejected.reason).not.toContain('last tuesday');
    }
  });

  it('sends the ids filter comma-separated and checks it', async () => {
    handler = (_url, res) => sendJson(res, 200, { status: 'success', data: { next: null, results: [] } });
    await collect(client.pages('hris_employees', { integrationId: 'a:b', ids: ['e1', 'e2'] }));
    expect(seen[0]?.url.searchParams.get('ids')).toBe('e1,e2');
    const error = await collect(client.pages('hris_employees', { integrationId: 'a:b', ids: ['a,b'] })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'CLIENT.INVALID_ARGUMENT' });
    expect(seen).toHaveLength(1);
  });

  it('rejects invalid arguments before any request', async () => {
    const error = await collect(client.pages('ats_tags', { integrationId: 'a:b', pageSize: 500 })).catch(
      (e) => e,
    );
    expect(error).toMatchObject({ code: 'CLIENT.INVALID_ARGUMENT', isRetryable: false });
    expect(seen).toHaveLength(0);
  });
});

describe('other endpoints', () => {
  it('reads an integration (the spec example) with the id in the path, and reports each request', async () => {
    const spec = JSON.parse(readFileSync(new URL('../spec/openapi.json', import.meta.url), 'utf8'));
    const example =
      spec.paths['/integrations/{integration_id}'].get.responses['200'].content['application/json'].examples
        .example1.value;
    handler = (_url, res) => sendJson(res, 200, example);
    const integration = await client.getIntegration('factorial:8d1hpPsbjxUkoCoa1veLZGe5');
    expect(integration).toMatchObject({ id: 'factorial:8d1hpPsbjxUkoCoa1veLZGe5', status: 'ACTIVE' });
    expect(integration.read_models?.[0]?.id).toBe('hris_employees');
    expect(seen[0]?.url.pathname).toBe('/v1/integrations/factorial%3A8d1hpPsbjxUkoCoa1veLZGe5');
    expect(seen[0]?.headers['x-integration-id']).toBeUndefined();
    expect(events).toEqual([
      {
        model: undefined,
        path: '/integrations/factorial%3A8d1hpPsbjxUkoCoa1veLZGe5',
        status: 200,
        durationMs: expect.any(Number),
      },
    ]);
  });

  it('reads every page of custom-fields and integration-fields at their largest page sizes', async () => {
    const custom = (id: string) => ({
      id,
      key: `key_${id}`,
      model: 'hris_employees',
      label: null,
      description: null,
      integration_field: id === 'c1' ? { id: 'i1', key: 'custom.k', type: 'CUSTOM', label: 'K' } : null,
    });
    handler = (url, res) => {
      const second = url.searchParams.get('cursor') === 'p2';
      sendJson(res, 200, {
        status: 'success',
        data: { next: second ? null : 'p2', results: [custom(second ? 'c2' : 'c1')] },
      });
    };
    const customFields = await client.fieldDefinitions('custom-fields', 'personio:x');
    expect(customFields.results.map((field) => field.id)).toEqual(['c1', 'c2']);
    expect(customFields.komboTime).toEqual(new Date(KOMBO_DATE));
    expect(seen.map(({ url }) => url.pathname + url.search)).toEqual([
      '/v1/integrations/personio%3Ax/custom-fields?page_size=250',
      '/v1/integrations/personio%3Ax/custom-fields?page_size=250&cursor=p2',
    ]);

    seen.length = 0;
    const field = { id: 'i1', key: 'k', model: 'hris_employees', type: 'DEFAULT', label: 'K' };
    handler = (_url, res) =>
      sendJson(res, 200, {
        status: 'success',
        data: { next: null, results: [{ ...field, is_passthrough_enabled: true }] },
      });
    const integrationFields = await client.fieldDefinitions('integration-fields', 'personio:x');
    expect(integrationFields.results).toEqual([{ ...field, is_passthrough_enabled: true }]);
    expect(seen[0]?.url.searchParams.get('page_size')).toBe('2000');

    handler = (_url, res) =>
      sendJson(res, 200, { status: 'success', data: { next: null, results: [field] } });
    await expect(client.fieldDefinitions('integration-fields', 'personio:x')).rejects.toMatchObject({
      code: 'CLIENT.SCHEMA_VIOLATION',
      field: 'is_passthrough_enabled',
    });
  });

  it('reads the Kombo clock from the Date header of /check-api-key', async () => {
    handler = (_url, res) => sendJson(res, 200, { status: 'success', data: { environment_id: 'env' } });
    expect(await client.komboTime()).toEqual(new Date(KOMBO_DATE));
    expect(await client.checkApiKey()).toEqual({ environment_id: 'env' });
    expect(seen.map(({ url }) => url.pathname)).toEqual(['/v1/check-api-key', '/v1/check-api-key']);
  });

  it('reports the error code of a failed request to onRequest', async () => {
    handler = (_url, res) =>
      sendJson(res, 500, { status: 'error', error: { code: 'PLATFORM.UNKNOWN_ERROR', message: 'x' } });
    await expect(client.checkApiKey()).rejects.toMatchObject({ code: 'PLATFORM.UNKNOWN_ERROR' });
    expect(events).toEqual([
      {
        model: undefined,
        path: '/check-api-key',
        status: 500,
        durationMs: expect.any(Number),
        errorCode: 'PLATFORM.UNKNOWN_ERROR',
      },
    ]);
  });
});
