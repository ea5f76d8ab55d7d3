import { describe, expect, it } from '@jest/globals';
import { failModelOnError, toSyncErrorInfo } from './errors.js';

class LoggedError extends Error {
  readonly code = 'REMOTE.UPSTREAM_ERROR';
  readonly logUrl = 'https://app.kombo.dev/logs/1';
}

describe('toSyncErrorInfo', () => {
  it("keeps the error's code, record id and log link, with the original as cause", () => {
    const error = Object.assign(new LoggedError('upstream failed'), { recordId: 'r1' });
    const info = toSyncErrorInfo(error, failModelOnError);
    expect(info).toEqual({
      kind: 'fail-model',
      code: 'REMOTE.UPSTREAM_ERROR',
      message: 'upstream failed (record r1)',
      recordId: 'r1',
      logUrl: 'https://app.kombo.dev/logs/1',
      cause: error,
    });
  });

  it('has no log link when the error carries none, and falls back to SYNC.ERROR', () => {
    const info = toSyncErrorInfo(new Error('boom'), () => ({ kind: 'abort-run' }));
    expect(info).toEqual({
      kind: 'abort-run',
      code: 'SYNC.ERROR',
      message: 'boom',
      cause: expect.any(Error),
    });
    expect('logUrl' in info).toBe(false);
  });

  it('fails the model when the classifier itself throws', () => {
    const info = toSyncErrorInfo('text', () => {
      throw new Error('classifier bug');
    });
    expect(info.kind).toBe('fail-model');
    expect(info.message).toBe('text');
  });
});
