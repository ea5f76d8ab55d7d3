import { describe, expect, it } from '@jest/globals';
import { MODELS } from '@kombo-sync/catalog';
import { KomboMalformedResponseError } from './errors.js';
import { parsePage, RECORD_SCHEMAS } from './record-schemas.js';

const base = { id: 'r1', changed_at: '2025-01-01T00:00:00.000Z', remote_deleted_at: null };
const page = (...results: unknown[]) => ({ status: 'success', data: { next: null, results } });
/** The schema violation of `record`: rejected with the page (it has an id) or thrown (it has none). */
function violation(model: Parameters<typeof parsePage>[0], record: unknown): KomboMalformedResponseError {
  let parsed;
  try {
    parsed = parsePage(model, page(record));
  } catch (error) {
    if (error instanceof KomboMalformedResponseError) return error;
    throw error;
  }
  const [rejected] = parsed.rejected;
  if (!rejected) throw new Error('expected a schema violation');
  expect(parsed.results).toEqual([]);
  expect(rejected.id).toBe(rejected.error.recordId);
  return rejected.error;
}

describe('record schemas derived from the catalog', () => {
  it('has one schema per catalog model', () => {
    expect(Object.keys(RECORD_SCHEMAS).sort()).toEqual(MODELS.map((model) => model.name).sort());
  });

  it('accepts the minimal record and keeps unknown fields', () => {
    const { results } = parsePage('ats_tags', page({ ...base, brand_new: [1, 2] }));
    expect(results).toEqual([{ ...base, brand_new: [1, 2] }]);
  });

  it('checks the implied columns', () => {
    expect(violation('ats_tags', { ...base, id: '' })).toMatchObject({ field: 'id', recordId: undefined });
    expect(violation('ats_tags', { ...base, changed_at: '2025-01-01' })).toMatchObject({
      field: 'changed_at',
    });
    expect(violation('ats_tags', { ...base, remote_deleted_at: undefined })).toMatchObject({
      field: 'remote_deleted_at',
    });
    expect(
      parsePage('ats_tags', page({ ...base, remote_deleted_at: '2025-02-01T10:00:00+02:00' })).results,
    ).toHaveLength(1);
  });

  it('checks typed columns strictly by type', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ weekly_hours: '40' }, 'weekly_hours'],
      [{ first_name: 12 }, 'first_name'],
      [{ start_date: 'soon' }, 'start_date'],
      [{ home_address: 'Main St' }, 'home_address'],
      [{ bank_accounts: 5 }, 'bank_accounts'],
      [{ custom_fields: true }, 'custom_fields'],
    ];
    for (const [fields, field] of cases) {
      expect(violation('hris_employees', { ...base, ...fields })).toMatchObject({
        code: 'CLIENT.SCHEMA_VIOLATION',
        model: 'hris_employees',
        field,
        recordId: 'r1',
      });
    }
    expect(violation('hris_absence_types', { ...base, half_days_supported: 'yes' }).field).toBe(
      'half_days_supported',
    );
  });

  it('keeps nested data as sent, objects and arrays alike, and names the expected type otherwise', () => {
    const nested = {
      home_address: { city: 'Berlin', lines: ['a', { b: 1 }] },
      bank_accounts: [{ iban: 'x' }],
    };
    expect(parsePage('hris_employees', page({ ...base, ...nested })).results).toEqual([
      { ...base, ...nested },
    ]);
    expect(violation('hris_employees', { ...base, home_address: 'Main St' }).message).toContain(
      'expected an object or an array',
    );
  });

  it('lets nullable fields be null or missing, and text be any string', () => {
    const record = { ...base, first_name: '', weekly_hours: null, start_date: null, bank_accounts: [] };
    expect(parsePage('hris_employees', page(record)).results).toHaveLength(1);
  });

  it('requires fields the catalog marks nullable: false', () => {
    expect(violation('hris_employments', { ...base }).field).toBe('employee_id');
    expect(violation('hris_employments', { ...base, employee_id: null }).field).toBe('employee_id');
  });

  it('accepts hris_absences dates and times both as strings and as null (the spec says null)', () => {
    const absence = { ...base, employee_id: 'e1' };
    const strings = {
      start_date: '2022-08-04',
      end_date: '2022-08-05',
      start_time: '13:15:00',
      end_time: '17:00:00',
    };
    const nulls = { start_date: null, end_date: null, start_time: null, end_time: null };
    expect(
      parsePage('hris_absences', page({ ...absence, ...strings }, { ...absence, ...nulls, id: 'r2' }))
        .results,
    ).toHaveLength(2);
  });

  it('fills in fixed change stamps only for models without them, and still checks given ones', () => {
    const assignment = { id: 'a1', employee_id: 'e1', skill_id: 's1', current_level: 'Expert' };
    expect(parsePage('hris_employee_skill_assignments', page(assignment)).results).toEqual([
      { ...assignment, changed_at: '1970-01-01T00:00:00.000Z', remote_deleted_at: null },
    ]);
    expect(violation('hris_employee_skill_assignments', { ...assignment, changed_at: 'soon' }).field).toBe(
      'changed_at',
    );
    expect(violation('hris_employee_skill_assignments', { ...assignment, skill_id: null }).field).toBe(
      'skill_id',
    );
    expect(violation('hris_skills', { id: 's1', remote_id: 'r', name: 'TS' }).field).toBe('changed_at');
  });

  it('names the record by position when its id is unreadable', () => {
    const error = violation('ats_tags', { changed_at: base.changed_at, remote_deleted_at: null });
    expect(error.recordId).toBeUndefined();
    expect(error.message).toContain('record #0');
  });

  it('rejects a schema-breaking record with an id and keeps the others; throws for one without an id', () => {
    const parsed = parsePage(
      'ats_tags',
      page({ ...base, id: 'a' }, { ...base, id: 'b', changed_at: 'x' }, { ...base, id: 'c' }),
    );
    expect(parsed.results.map((record) => record.id)).toEqual(['a', 'c']);
    expect(parsed.resultIndexes).toEqual([0, 2]);
    expect(parsed.rejected).toHaveLength(1);
    expect(parsed.rejected[0]).toMatchObject({
      id: 'b',
      index: 1,
      error: { field: 'changed_at', recordId: 'b' },
    });
    expect(() => parsePage('ats_tags', page({ ...base, id: 'a' }, { ...base, id: '' }))).toThrow(
      KomboMalformedResponseError,
    );
  });

  it('treats an empty next as the end', () => {
    expect(parsePage('ats_tags', { status: 'success', data: { next: '', results: [] } }).next).toBeNull();
  });
});
