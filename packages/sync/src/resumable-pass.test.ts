import { describe, expect, it } from '@jest/globals';
import { PassProgress, PassRestartError, resumedListing } from './resumable-pass.js';
import type { SourcePage } from './types.js';

const page = (next: string | null): SourcePage => ({ results: [], next, komboTime: new Date(0) });

describe('PassProgress', () => {
  it('checkpoints a page only when every earlier page is committed, never backwards', () => {
    const progress = new PassProgress(7, 2);
    const third = progress.checkpointFor(3, 'c4');
    const fourth = progress.checkpointFor(4, 'c5');
    // Page 4 commits first: page 3 is still being written.
    expect(fourth()).toBeUndefined();
    progress.markCommitted(4);
    expect(third()).toEqual({ passId: 7, pages: 3, cursor: 'c4' });
    progress.markCommitted(3);
    // Page 4 committed before 3: the next page to commit carries the checkpoint past both.
    expect(progress.checkpointFor(5, null)()).toEqual({ passId: 7, pages: 5, cursor: null });
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
