import { describe, expect, it } from '@jest/globals';
import { PassProgress, PassRestartError, resumedListing } from './resumable-pass.js';
import type { SourcePage } from './types.js';

const page = (next: string | null): SourcePage => ({ results: [], next, komboTime: new Date(0) });

describe('PassProgress', () => {
  it('checkpoints a page only when every earlier page is committed, never backwards', () => {
    const progress = new PassProgress(7, 2);
    const third = progress.checkpointFor(3, 'c3');
    const fourth = progress.checkpointFor(4, 'c4');
    // Page 4 commits first: page 3 is still being written.
    expect(fourth()).toBeUndefined();
    progress.markCommitted(4, 'c4');
    // Page 3 carries the checkpoint past page 4, which committed before it.
    expect(third()).toEqual({ passId: 7, pages: 4, cursor: 'c4' });
    progress.markCommitted(3, 'c3');
    expect(progress.unwritten()).toBeUndefined();
    expect(progress.checkpointFor(5, null)()).toEqual({ passId: 7, pages: 5, cursor: null });
  });

  it('tells the checkpoint no committed page carried (a neighbour committed while it was asked)', () => {
    const progress = new PassProgress(7, 0);
    const first = progress.checkpointFor(1, 'c1');
    const second = progress.checkpointFor(2, 'c2');
    expect(second()).toBeUndefined();
    // Page 1 is asked before page 2's commit is known, then both commit.
    expect(first()).toEqual({ passId: 7, pages: 1, cursor: 'c1' });
    progress.markCommitted(2, 'c2');
    progress.markCommitted(1, 'c1');
    expect(progress.unwritten()).toEqual({ passId: 7, pages: 2, cursor: 'c2' });
  });
});

describe('resumedListing', () => {
  const rejecting = () => ({ kind: 'fail-model' as const, isRequestRejected: true });

  it('turns a refused first request into PassRestartError', async () => {
    async function* listing(): AsyncGenerator<SourcePage> {
      yield* [];
      throw new Error('400 PLATFORM.INPUT_INVALID');
    }
    const pages = resumedListing('hris_employees', listing(), rejecting);
    await expect(pages.next()).rejects.toBeInstanceOf(PassRestartError);
  });

  it('leaves a later error as it is', async () => {
    const failure = new Error('400 later');
    async function* listing(): AsyncGenerator<SourcePage> {
      yield page('c2');
      throw failure;
    }
    const pages = resumedListing('hris_employees', listing(), rejecting);
    expect((await pages.next()).value).toEqual(page('c2'));
    await expect(pages.next()).rejects.toBe(failure);
  });
});
