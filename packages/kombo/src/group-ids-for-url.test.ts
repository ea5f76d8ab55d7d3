import { describe, expect, it } from '@jest/globals';
import { groupIdsForUrl, MAX_IDS_PARAM_LENGTH } from './client.js';

const encodedLength = (ids: readonly string[]) =>
  new URLSearchParams({ ids: ids.join(',') }).toString().length - 'ids='.length;

describe('groupIdsForUrl', () => {
  it('keeps short ids in one group', () => {
    const ids = Array.from({ length: 100 }, (_, i) => `emp_${i}`);
    expect(groupIdsForUrl(ids)).toEqual([ids]);
  });

  it('splits ids whose filter would make the URL too long, keeping their order, each group within the bound', () => {
    // 512 bytes of 3-byte characters: 1,536 characters once %-encoded.
    const ids = Array.from({ length: 10 }, (_, i) => `${i}${'é'.repeat(255)}`);
    const groups = groupIdsForUrl(ids);
    expect(groups.length).toBeGreaterThan(1);
    expect(groups.flat()).toEqual(ids);
    for (const group of groups) expect(encodedLength(group)).toBeLessThanOrEqual(MAX_IDS_PARAM_LENGTH);
  });

  it('refuses an id that alone exceeds the bound', () => {
    expect(() => groupIdsForUrl(['x'.repeat(MAX_IDS_PARAM_LENGTH + 1)])).toThrow(/exceeds/);
  });
});
