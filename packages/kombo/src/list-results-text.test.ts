import { describe, expect, it } from '@jest/globals';
import { listResultsText } from './list-results-text.js';

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY_STRINGS = [
  '',
  '"',
  '\\',
  '\\"',
  '"\\',
  ']',
  '}',
  ',',
  '[{',
  'a"b\\"c',
  '\u0000',
  'é😀',
  '\n\t',
  'results',
];

function randomValue(random: () => number, depth: number): unknown {
  const pick = Math.floor(random() * (depth > 3 ? 4 : 6));
  switch (pick) {
    case 0:
      return TRICKY_STRINGS[Math.floor(random() * TRICKY_STRINGS.length)];
    case 1:
      return Math.round((random() - 0.5) * 1e6) / 100;
    case 2:
      return random() < 0.5 ? null : random() < 0.5;
    case 3:
      return `s${Math.floor(random() * 1e6)}`;
    case 4:
      return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
    default: {
      const entries = Array.from({ length: Math.floor(random() * 5) }, (_, k) => [
        random() < 0.2 ? TRICKY_STRINGS[k % TRICKY_STRINGS.length]! + k : `k${k}`,
        randomValue(random, depth + 1),
      ]);
      return Object.fromEntries(entries);
    }
  }
}

function randomRecord(random: () => number, index: number): Record<string, unknown> {
  return {
    id: `r${index}`,
    changed_at: '2025-01-01T00:00:00.000Z',
    remote_deleted_at: null,
    x: randomValue(random, 0),
  };
}

describe('listResultsText', () => {
  it("slices each record's text exactly as sent", () => {
    const results = [
      { id: 'a', n: [1, { b: '}' }] },
      { id: 'b"]', s: 'x\\' },
    ];
    const body = JSON.stringify({ status: 'success', data: { next: 'c', results } });
    expect(listResultsText(body)).toEqual(results.map((record) => JSON.stringify(record)));
  });

  it('finds the results array whatever the key order, whitespace and other nested "results" keys', () => {
    const results = [{ id: 'a' }, { id: 'b', results: [{ results: [] }] }];
    const body = JSON.stringify(
      { meta: { results: [9] }, data: { results, next: null, extra: { results: [8] } }, status: 'success' },
      null,
      3,
    );
    expect(listResultsText(body)?.map((text) => JSON.parse(text) as unknown)).toEqual(results);
    expect(listResultsText(body)?.[1]).toContain('\n');
  });

  it('handles an empty page and primitive elements', () => {
    expect(listResultsText('{"status":"success","data":{"next":null,"results":[]}}')).toEqual([]);
    expect(listResultsText('{"data":{"results":[ 1 , "a,b" ,null,true ]}}')).toEqual([
      '1',
      '"a,b"',
      'null',
      'true',
    ]);
  });

  it('returns null when there is no data.results array, or more than one', () => {
    expect(listResultsText('{"status":"success","data":{"next":null}}')).toBeNull();
    expect(listResultsText('{"results":[{"id":"a"}]}')).toBeNull();
    expect(listResultsText('{"data":{"results":{"id":"a"}}}')).toBeNull();
    expect(listResultsText('[{"data":{"results":[]}}]')).toBeNull();
    expect(listResultsText('{"data":{"results":[1]},"data":{"results":[2]}}')).toBeNull();
    expect(listResultsText('{"data":{"results":[1],"results":[2]}}')).toBeNull();
    // A key spelled with escapes is not recognised: null, so the caller serialises the parsed records instead.
    expect(listResultsText('{"d\\u0061ta":{"results":[1]}}')).toBeNull();
  });

  it('returns null for text that ends inside the structure', () => {
    expect(listResultsText('{"data":{"results":[{"id":"a"}')).toBeNull();
    expect(listResultsText('{"data":{"results":[{"id":"a')).toBeNull();
  });

  it('agrees with JSON.parse on random pages (seeded)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const random = prng(seed);
      const results = Array.from({ length: Math.floor(random() * 8) }, (_, k) => randomRecord(random, k));
      const envelope =
        random() < 0.5
          ? { status: 'success', data: { next: random() < 0.5 ? null : 'cursor', results } }
          : { data: { results, next: 'x' }, status: 'success' };
      const body = JSON.stringify(envelope, null, random() < 0.3 ? 2 : undefined);
      const texts = listResultsText(body);
      const parsed = (JSON.parse(body) as { data: { results: unknown[] } }).data.results;
      expect({ seed, elements: texts?.map((text) => JSON.parse(text) as unknown) }).toEqual({
        seed,
        elements: parsed,
      });
      if (!body.includes('\n')) {
        expect({ seed, texts }).toEqual({ seed, texts: results.map((record) => JSON.stringify(record)) });
      }
    }
  });
});
