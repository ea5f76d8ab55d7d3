import { describe, expect, it } from '@jest/globals';
import {
  assertReadableJobData,
  dataVersionOf,
  NewerQueueDataError,
  QUEUE_DATA_VERSION,
} from './data-version.js';

describe('data versions of jobs', () => {
  it('reads an unstamped job as version 1 and a stamped one as its stamp', () => {
    expect(dataVersionOf({ integrationId: 'a' })).toBe(1);
    expect(dataVersionOf({ integrationId: 'a', v: 3 })).toBe(3);
    expect(dataVersionOf({ v: 'x' })).toBe(1);
    expect(dataVersionOf(null)).toBe(1);
  });

  it('refuses only data newer than the reader', () => {
    expect(() => assertReadableJobData({ v: QUEUE_DATA_VERSION })).not.toThrow();
    expect(() => assertReadableJobData({})).not.toThrow();
    expect(() => assertReadableJobData({ v: QUEUE_DATA_VERSION + 1 })).toThrow(NewerQueueDataError);
    expect(() => assertReadableJobData({ v: 5 }, 5)).not.toThrow();
  });
});
