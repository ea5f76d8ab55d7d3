// `kombo-sync status` over a fleet of thousands: a summary and a bounded attention list, --all, --filter,
// --search, --json.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ATTENTION_FILTERS, type Database } from '@kombo-sync/db';
import { expectedStates, seedFleet, type FleetMember } from '@kombo-sync/db/testing';
import { memoryOutput } from '../output.js';
import { createTestDatabase } from '../testing/queue-suite.js';
import { runStatus } from './status.js';

const FLEET = 2_000;
let database: Database;
let drop: () => Promise<void>;
let members: FleetMember[];

beforeAll(async () => {
  ({ database, drop } = await createTestDatabase());
  members = await seedFleet(database, { integrations: FLEET, runsPerIntegration: 10, historyDays: 5 });
}, 120_000);

afterAll(async () => {
  await drop();
});

const idsWhere = (states: readonly string[]) =>
  members
    .filter((m) => expectedStates(m).some((state) => states.includes(state)))
    .map((m) => m.id)
    .sort();
const rowIds = (text: string) =>
  text
    .split('\n')
    .filter((line) => /^(personio|greenhouse):fleet-/.test(line))
    .map((line) => line.split(/\s+/)[0]);

describe('status of a large fleet', () => {
  it('prints the summary and at most 20 integrations needing attention, saying how many more there are', async () => {
    const out = memoryOutput();
    expect(await runStatus({ db: database, out })).toBe(0);
    const text = out.stdout.join('\n');
    const attention = idsWhere(ATTENTION_FILTERS);
    expect(text).toMatch(new RegExp(`^Integrations: ${FLEET} \\(\\d+ ok\\); `));
    expect(text).toContain(`Needing attention: ${attention.length}, first 20`);
    expect(rowIds(text)).toEqual(attention.slice(0, 20));
    expect(text).toContain(`… ${attention.length - 20} more: add --all`);
    expect(text.split('\n').length).toBeLessThan(40);
    expect(Buffer.byteLength(text)).toBeLessThan(8 * 1024);
  });

  it('--all lists every selected integration; --filter picks states; --limit bounds the list', async () => {
    const all = memoryOutput();
    await runStatus({ db: database, out: all }, { all: true });
    expect(rowIds(all.stdout.join('\n'))).toEqual(members.map((m) => m.id).sort());
    const paused = memoryOutput();
    await runStatus({ db: database, out: paused }, { all: true, filter: 'paused,running' });
    expect(rowIds(paused.stdout.join('\n'))).toEqual(idsWhere(['paused', 'running']));
    const few = memoryOutput();
    await runStatus({ db: database, out: few }, { filter: 'all', limit: 5 });
    expect(rowIds(few.stdout.join('\n'))).toHaveLength(5);
    expect(few.stdout.join('\n')).toContain(`All integrations: ${FLEET}, first 5`);
  });

  it('--search, --category and --tool narrow the list', async () => {
    const out = memoryOutput();
    await runStatus({ db: database, out }, { search: 'ORG 1234', filter: 'all' });
    expect(rowIds(out.stdout.join('\n'))).toEqual([members[1233]?.id]);
    const ats = memoryOutput();
    await runStatus({ db: database, out: ats }, { category: 'ATS', tool: 'greenhouse', all: true });
    expect(rowIds(ats.stdout.join('\n'))).toHaveLength(FLEET / 2);
  });

  it('--json prints the summary and the selected integrations', async () => {
    const out = memoryOutput();
    await runStatus({ db: database, out }, { json: true, filter: 'failing', all: true });
    const parsed = JSON.parse(out.stdout.join('\n')) as {
      summary: { integrations: number; states: Record<string, number> };
      selected: number;
      integrations: { id: string; flags: string[] }[];
    };
    expect(parsed.summary.integrations).toBe(FLEET);
    expect(parsed.integrations.map((i) => i.id)).toEqual(idsWhere(['failing']));
    expect(parsed.selected).toBe(parsed.summary.states.failing);
    expect(parsed.integrations.every((i) => i.flags.includes('failing'))).toBe(true);
  });
});
