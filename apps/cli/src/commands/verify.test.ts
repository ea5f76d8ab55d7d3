import { describe, expect, it } from '@jest/globals';
import { contentHash } from './content-hash.js';
import { recordState } from './fingerprint.js';
import { diff, komboStates, type VerifyRecord, type VerifySource } from './verify.js';

const CHANGED_AT = '2026-11-28T12:00:00.000Z';

function sourceOf(records: VerifyRecord[]): VerifySource {
  return {
    async *pages() {
      yield { results: records.slice(0, 1) };
      yield { results: records.slice(1) };
    },
  };
}

describe('komboStates', () => {
  it('keys records by id and hashes their whole content, NULs in ids and values as the mirror stores them', async () => {
    const states = await komboStates(
      sourceOf([
        { id: 'a\u0000b', changed_at: '2026-11-28T13:00:00+01:00', remote_deleted_at: null, name: 'x\u0000' },
        { id: 'c', changed_at: CHANGED_AT, remote_deleted_at: CHANGED_AT },
      ]),
      'personio:1',
      'hris_employees',
    );
    const stored = {
      changed_at: '2026-11-28T13:00:00+01:00',
      id: 'a\uFFFDb',
      name: 'x\uFFFD',
      remote_deleted_at: null,
    };
    expect([...states.keys()]).toEqual(['a\uFFFDb', 'c']);
    expect(states.get('a\uFFFDb')).toBe(recordState(CHANGED_AT, null, contentHash(stored)));
    expect(states.get('c')?.split('\t').slice(0, 2)).toEqual([CHANGED_AT, '1']);
  });
});

describe('komboStates of a model without change stamps', () => {
  it('hashes the record as Kombo sent it (as the mirror keeps it), without the stamps the client fills in', async () => {
    const sent = { id: 'a1', employee_id: 'e1', skill_id: 's1', current_level: 'Expert' };
    const epoch = '1970-01-01T00:00:00.000Z';
    const states = await komboStates(
      sourceOf([{ ...sent, changed_at: epoch, remote_deleted_at: null }]),
      'personio:1',
      'hris_employee_skill_assignments',
    );
    expect(states.get('a1')).toBe(recordState(epoch, null, contentHash(sent)));
  });
});

describe('diff', () => {
  it('sorts each id into every kind it differs by', () => {
    const state = (changedAt: string, deleted: string | null, content: unknown) =>
      recordState(changedAt, deleted, contentHash(content));
    const earlier = '2026-11-28T11:00:00.000Z';
    const kombo = new Map([
      ['same', state(CHANGED_AT, null, { v: 1 })],
      ['content', state(CHANGED_AT, null, { v: 1 })],
      ['older', state(CHANGED_AT, null, { v: 2 })],
      ['deleted', state(CHANGED_AT, CHANGED_AT, { v: 1 })],
      ['missing', state(CHANGED_AT, null, { v: 1 })],
    ]);
    const mirror = new Map([
      ['same', state(CHANGED_AT, null, { v: 1 })],
      ['content', state(CHANGED_AT, null, { v: 9 })],
      ['older', state(earlier, null, { v: 1 })],
      ['deleted', state(CHANGED_AT, null, { v: 1 })],
      ['extra', state(CHANGED_AT, null, { v: 1 })],
    ]);
    expect(diff(kombo, mirror)).toEqual({
      missingInMirror: ['missing'],
      extraInMirror: ['extra'],
      changedAtDiffers: ['older'],
      deletionDiffers: ['deleted'],
      contentDiffers: ['content', 'older'],
    });
  });
});
