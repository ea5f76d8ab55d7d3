/**
 * Baselines for the write path, built from the catalog like packages/db's writePage so they write the same
 * columns: the same one-statement page upsert WITHOUT the stale/no-op guard (re-sync baseline), and the naive
 * per-record upsert of Kombo's guide (one INSERT … ON CONFLICT DO UPDATE per record, autocommit).
 */
import { getModel, type ModelName } from '@kombo-sync/catalog';
import type pg from 'pg';
import type { KomboRecord } from '@kombo-sync/sync';

const ident = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const literal = (value: string): string => `'${value.replace(/'/g, "''")}'`;

function fieldExpression(name: string, type: string): string {
  const text = `(e->>${literal(name)})`;
  if (type === 'timestamp') return `${text}::timestamptz`;
  if (type === 'number') return `${text}::double precision`;
  if (type === 'boolean') return `${text}::boolean`;
  if (type === 'json') return `NULLIF(e->${literal(name)}, 'null'::jsonb)`;
  return text;
}

/**
 * writePage's statement minus the guard: no primary-key probe skipping unchanged records and no WHERE on the
 * conflict update, so every row of every page is rewritten. Same parameter (`pageJson` of packages/db's
 * write-page.ts, with the record hashes) and the same columns. Parameters: $1 page, $2 integration id,
 * $3 komboFetchedAt, $4 run id, $5 isFullPass, $6 fetch order.
 */
export function unguardedPageSql(model: ModelName, table = model): string {
  const fields = Object.entries(getModel(model).fields);
  const columns = fields.map(([name]) => ident(name)).join(', ');
  const values = fields.map(([name, field]) => fieldExpression(name, field.type)).join(', ');
  const updates = fields.map(([name]) => `${ident(name)} = excluded.${ident(name)}`).join(', ');
  return `
    WITH input AS (
      SELECT DISTINCT ON (p.i) p.i AS id, p.c::timestamptz AS changed_at, p.d::timestamptz AS remote_deleted_at,
        decode(p.h, 'hex') AS raw_hash, p.r
      FROM ROWS FROM (json_to_recordset($1::json)
        AS (i text, c text, d text, h text, r json)) WITH ORDINALITY AS p(i, c, d, h, r, ord)
      ORDER BY p.i, p.c::timestamptz DESC NULLS LAST, p.ord DESC
    ), seen AS (
      INSERT INTO sync_seen_ids (run_id, model, id)
      SELECT $4::bigint, ${literal(model)}, id FROM input WHERE $5::boolean
      ON CONFLICT DO NOTHING
    ), pending AS (
      SELECT n.*, n.r::jsonb AS e FROM input n
      OFFSET 0
    )
    INSERT INTO ${ident(table)} AS old (integration_id, id, changed_at, remote_deleted_at, raw, raw_hash,
      kombo_fetched_at, kombo_fetch_order, last_run_id, ${columns})
    SELECT $2::text, id, changed_at, remote_deleted_at, e, raw_hash,
      $3::timestamptz, $6::bigint, $4::bigint, ${values}
    FROM pending
    ON CONFLICT (integration_id, id) DO UPDATE SET
      changed_at = excluded.changed_at, remote_deleted_at = excluded.remote_deleted_at, raw = excluded.raw,
      raw_hash = excluded.raw_hash, kombo_fetched_at = excluded.kombo_fetched_at,
      kombo_fetch_order = excluded.kombo_fetch_order, last_seen_at = now(), last_run_id = excluded.last_run_id,
      ${updates}
    RETURNING id, (xmax = 0) AS inserted, remote_deleted_at IS NOT NULL AS is_deleted`;
}

/** One INSERT … ON CONFLICT DO UPDATE per record with bind parameters, the pattern of Kombo's sync guide. */
export function naiveUpsert(model: ModelName, table: string) {
  const fields = Object.entries(getModel(model).fields);
  const names = [
    'integration_id',
    'id',
    'changed_at',
    'remote_deleted_at',
    'raw',
    'kombo_fetched_at',
    'last_run_id',
  ];
  const all = [...names, ...fields.map(([name]) => name)];
  const text =
    `INSERT INTO ${ident(table)} (${all.map(ident).join(', ')}) VALUES (${all.map((_, i) => `$${i + 1}`).join(', ')}) ` +
    `ON CONFLICT (integration_id, id) DO UPDATE SET ` +
    all
      .slice(2)
      .map((name) => `${ident(name)} = excluded.${ident(name)}`)
      .join(', ');
  return async (
    pool: pg.Pool,
    integrationId: string,
    record: KomboRecord,
    fetchedAt: Date,
    runId: number,
  ) => {
    const params: unknown[] = [
      integrationId,
      record.id,
      record.changed_at,
      record.remote_deleted_at,
      JSON.stringify(record),
      fetchedAt,
      runId,
      ...fields.map(([name, field]) => {
        const value = record[name] ?? null;
        return field.type === 'json' && value !== null ? JSON.stringify(value) : value;
      }),
    ];
    await pool.query(text, params);
  };
}
