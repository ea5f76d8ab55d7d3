import { describe, expect, it } from '@jest/globals';
import { loadConfig } from '@kombo-sync/config';
import { workerConfig, workerConfigSpec } from './worker-config.js';

describe('workerConfig', () => {
  it('builds from typed values the config main.ts loads from the environment', () => {
    expect(workerConfig({ komboApiKey: 'key' })).toEqual(
      loadConfig(workerConfigSpec, { KOMBO_API_KEY: 'key' }),
    );
  });

  it('has every default once: the variables’ and its own', () => {
    const config = workerConfig({ komboApiKey: 'key', overlapMs: 0 });
    expect(config).toMatchObject({
      overlapMs: 0,
      pageSize: 250,
      jobAttempts: 8,
      isChangeFeedOn: false,
      shouldStoreRemoteData: true,
      maxStalledCount: 5,
      progressIntervalMs: 1_000,
    });
    expect('enabledModels' in config).toBe(false);
  });
});
