import { describe, expect, it } from '@jest/globals';
import { prefetch } from './prefetch.js';

async function* numbers(count: number, log: string[]): AsyncGenerator<number> {
  for (let n = 1; n <= count; n++) {
    log.push(`fetch ${n}`);
    await Promise.resolve();
    yield n;
  }
}

describe('prefetch', () => {
  it('starts fetching item n+1 before item n is consumed', async () => {
    const log: string[] = [];
    for await (const n of prefetch(numbers(3, log))) {
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`consume ${n}`);
    }
    expect(log).toEqual(['fetch 1', 'fetch 2', 'consume 1', 'fetch 3', 'consume 2', 'consume 3']);
  });

  it('passes a fetch error to the consumer after the items before it', async () => {
    async function* failing(): AsyncGenerator<number> {
      yield 1;
      throw new Error('fetch failed');
    }
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const n of prefetch(failing())) seen.push(n);
      })(),
    ).rejects.toThrow('fetch failed');
    expect(seen).toEqual([1]);
  });

  it('closes the source when the consumer stops early', async () => {
    let isClosed = false;
    async function* endless(): AsyncGenerator<number> {
      try {
        for (let n = 1; ; n++) yield n;
      } finally {
        isClosed = true;
      }
    }
    for await (const n of prefetch(endless())) if (n === 2) break;
    await new Promise((resolve) => setImmediate(resolve));
    expect(isClosed).toBe(true);
  });

  it('runs every fetch inside the guard', async () => {
    let guarded = 0;
    const guard = <R>(fn: () => Promise<R>): Promise<R> => {
      guarded += 1;
      return fn();
    };
    const items: number[] = [];
    for await (const n of prefetch(numbers(2, []), { guard })) items.push(n);
    expect(items).toEqual([1, 2]);
    expect(guarded).toBe(3);
  });
});
