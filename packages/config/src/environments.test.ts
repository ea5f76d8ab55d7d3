import { describe, expect, it } from '@jest/globals';
import {
  environmentApis,
  environmentApiSettings,
  environmentWebhooks,
  environmentWebhookSettings,
  isEnvironmentName,
  komboEnvironmentSettings,
} from './environments.js';
import { ConfigError, loadConfig } from './load-config.js';

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.variable);
    throw err;
  }
  return [];
};

describe('Kombo environments', () => {
  it('KOMBO_ENVIRONMENTS: none by default; names validated, never echoed', () => {
    expect(loadConfig(komboEnvironmentSettings, {}).komboEnvironments).toEqual([]);
    expect(
      loadConfig(komboEnvironmentSettings, { KOMBO_ENVIRONMENTS: ' us, dev2 ' }).komboEnvironments,
    ).toEqual(['us', 'dev2']);
    for (const bad of ['US', 'us,us', 'u-s', '1us', 'us/x', 'default', 'us,default']) {
      let message = '';
      try {
        loadConfig(komboEnvironmentSettings, { KOMBO_ENVIRONMENTS: bad });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toContain('KOMBO_ENVIRONMENTS');
    }
  });

  it('names environments for filters: default, or a name KOMBO_ENVIRONMENTS may list', () => {
    expect(['default', 'us', 'dev2'].filter(isEnvironmentName)).toEqual(['default', 'us', 'dev2']);
    expect(['', 'US', 'us/x', "us' OR 1=1", 'a'.repeat(17)].filter(isEnvironmentName)).toEqual([]);
  });

  it("loads each environment's API and webhook settings, naming every bad variable", () => {
    const env = {
      KOMBO_US_API_KEY: 'us-key',
      KOMBO_US_API_URL: 'https://api.us.kombo.dev/v1',
      KOMBO_US_MAX_REQUESTS_PER_SECOND: '2.5',
      KOMBO_US_WEBHOOK_SECRETS: 'new,old',
      KOMBO_DEV_API_KEY: 'dev-key',
    };
    const names = ['us', 'dev'];
    expect(environmentApis(names, loadConfig(environmentApiSettings(names), env))).toEqual([
      { name: 'us', apiUrl: 'https://api.us.kombo.dev/v1', apiKey: 'us-key', maxRequestsPerSecond: 2.5 },
      { name: 'dev', apiUrl: 'https://api.kombo.dev/v1', apiKey: 'dev-key' },
    ]);
    expect(environmentWebhooks(['us'], loadConfig(environmentWebhookSettings(['us']), env))).toEqual([
      { name: 'us', webhookSecrets: ['new', 'old'] },
    ]);
    expect(
      problemsOf(() =>
        loadConfig(environmentApiSettings(names), {
          KOMBO_US_API_URL: 'ftp://x',
          KOMBO_US_API_KEY: 'k',
          KOMBO_US_MAX_REQUESTS_PER_SECOND: '0',
        }),
      ).sort(),
    ).toEqual(['KOMBO_DEV_API_KEY', 'KOMBO_US_API_URL', 'KOMBO_US_MAX_REQUESTS_PER_SECOND']);
    expect(problemsOf(() => loadConfig(environmentWebhookSettings(names), env))).toEqual([
      'KOMBO_DEV_WEBHOOK_SECRETS',
    ]);
  });
});
