import { describe, expect, it } from '@jest/globals';
import { Semaphore, withLimiters } from './semaphore.js';

describe('Semaphore', () => {
  it('grants permits in FIFO order and hands a released permit to the next waiter', async () => {
    const semaphore = new Semaphore(1);
    const order: string[] = [];
    const releaseA = await semaphore.acquire();
    const b = semaphore.acquire().then((release) => {
      order.push('b');
      return release;
    });
    const c = semaphore.acquire().then((release) => {
      order.push('c');
      return release;
    });
    releaseA();
    releaseA();
    (await b)();
    (await c)();
    expect(order).toEqual(['b', 'c']);
    expect(semaphore.inUse).toBe(0);
  });

  it('rejects a waiter whose signal aborts, without leaking its permit', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    release();
    expect(semaphore.inUse).toBe(0);
    await expect(semaphore.acquire(AbortSignal.abort(new Error('early')))).rejects.toThrow('early');
  });

  it('releases every limiter when the work throws', async () => {
    const outer = new Semaphore(1);
    const inner = new Semaphore(1);
    await expect(withLimiters([outer, inner], () => Promise.reject(new Error('boom')))).rejects.toThrow(
      'boom',
    );
    expect([outer.inUse, inner.inUse]).toEqual([0, 0]);
  });

  it('refuses a size below 1', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
