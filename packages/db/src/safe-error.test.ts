import { describe, expect, it } from '@jest/globals';
import {
  boundText,
  isDataSqlstate,
  MAX_ERROR_TEXT_LENGTH,
  redactQuotedValues,
  toSafeStoreError,
} from './safe-error.js';

/** What pg's DatabaseError looks like, wrapped the way drizzle wraps it. */
function drizzleError(pgFields: Record<string, unknown>): Error {
  const pgError = Object.assign(new Error(String(pgFields['message'])), { severity: 'ERROR', ...pgFields });
  return Object.assign(new Error(`Failed query: INSERT INTO t VALUES ($1)\nparams: {"first_name":"Ada"}`), {
    cause: pgError,
  });
}

describe('safe store errors', () => {
  it('redacts quoted values and keeps quoted identifiers', () => {
    expect(redactQuotedValues('value "1e400" is out of range for type double precision')).toBe(
      'value "…" is out of range for type double precision',
    );
    expect(redactQuotedValues('invalid input syntax for type timestamp with time zone: "garbage"')).toBe(
      'invalid input syntax for type timestamp with time zone: "…"',
    );
    expect(
      redactQuotedValues(
        'null value in column "changed_at" of relation "hris_employees" violates not-null constraint',
      ),
    ).toBe('null value in column "changed_at" of relation "hris_employees" violates not-null constraint');
    expect(redactQuotedValues('new row for relation "t" violates check constraint "t_x_check"')).toBe(
      'new row for relation "t" violates check constraint "t_x_check"',
    );
    expect(redactQuotedValues('"10000000000000000000" is out of range for type double precision')).toBe(
      '"…" is out of range for type double precision',
    );
  });

  it('unwraps drizzle to the Postgres error: SQLSTATE, reason, identifiers, record id; no SQL or params', () => {
    const safe = toSafeStoreError(
      drizzleError({
        code: '23502',
        message: 'null value in column "x" violates not-null constraint',
        table: 't',
        column: 'x',
        detail: 'Failing row contains (Ada).',
      }),
      'r1',
    );
    expect(safe).toMatchObject({ code: '23502', sqlstate: '23502', recordId: 'r1' });
    expect(safe.message).toBe(
      'SQLSTATE 23502: null value in column "x" violates not-null constraint (table t, column x) (record "r1")',
    );
    expect(safe.stack?.split('\n')[0]).toBe(`SafeStoreError: ${safe.message}`);
  });

  it('keeps other errors and their codes, but never a drizzle query text, and bounds every message', () => {
    expect(
      toSafeStoreError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toMatchObject({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' });
    const noPg = toSafeStoreError(new Error('Failed query: SELECT $1\nparams: secret'));
    expect(noPg.message).not.toMatch(/SELECT|secret/);
    expect(noPg.code).toBe('DB.ERROR');
    const long = toSafeStoreError(new Error('x'.repeat(100_000)));
    expect(long.message.length).toBeLessThanOrEqual(MAX_ERROR_TEXT_LENGTH);
    expect(boundText('abc', 10)).toBe('abc');
  });

  it('tells data errors (worth quarantining a record for) from the rest', () => {
    for (const code of ['22P02', '22003', '22007', '22008', '22021', '23502', '23514', '54000'])
      expect(isDataSqlstate(code)).toBe(true);
    for (const code of [undefined, '08006', '40001', '40P01', '55P03', '57014', '23505', '42P01'])
      expect(isDataSqlstate(code)).toBe(false);
  });
});
