// Most of this file is checked by the type checker (`npm run typecheck`): the row types follow the catalog.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { MirrorRecord, ModelWithCustomFields } from './records.js';

const employee = {} as MirrorRecord<'hris_employees'>;
const employment = {} as MirrorRecord<'hris_employments'>;
export const typed: [string | null, Date | null, number | null, string, string, Date, number | null] = [
  employee.first_name,
  employee.start_date,
  employee.weekly_hours,
  // Required by the catalog (nullable: false): never null.
  employment.employee_id,
  employee.id,
  employee.changedAt,
  employee.lastRunId,
];
// @ts-expect-error nullable fields are not plain strings
export const notNull: string = employee.first_name;
// @ts-expect-error the raw JSON is not part of a record
export const raw: unknown = employee.raw;
// @ts-expect-error a field another model has
export const other: unknown = employee.employee_id;
export const withCustomFields: ModelWithCustomFields[] = ['hris_employees', 'ats_candidates'];
// @ts-expect-error groups have no custom fields
export const withoutCustomFields: ModelWithCustomFields = 'hris_groups';

describe('@kombo-sync/mirror', () => {
  it('depends on the catalog and Drizzle only, and its sources (not its tests) import nothing else', () => {
    const root = path.resolve(import.meta.dirname, '..');
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['@kombo-sync/catalog', 'drizzle-orm']);
    const allowed = /^(\.\/|node:|@kombo-sync\/catalog$|drizzle-orm(\/pg-core)?$|@jest\/globals$)/;
    for (const file of readdirSync(import.meta.dirname).filter(
      (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'),
    )) {
      const source = readFileSync(path.join(import.meta.dirname, file), 'utf8');
      for (const [, specifier] of source.matchAll(/from '([^']+)'/g))
        expect({ file, specifier, isAllowed: allowed.test(specifier ?? '') }).toMatchObject({
          isAllowed: true,
        });
    }
  });
});
