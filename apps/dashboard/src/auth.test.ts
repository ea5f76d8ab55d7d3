import { describe, expect, it } from '@jest/globals';
import { constantTimeEqual, DashboardConfigError, resolveCredentials } from './auth.js';
import type { DashboardConfig } from './deps.js';

const base: DashboardConfig = { QUEUE_PREFIX: '{k}', DASHBOARD_READ_ONLY: false, NODE_ENV: 'production' };

describe('resolveCredentials', () => {
  it('refuses production without credentials, naming the variables', () => {
    expect(() => resolveCredentials(base)).toThrow(DashboardConfigError);
    expect(() => resolveCredentials(base)).toThrow(/DASHBOARD_USERNAME.*DASHBOARD_PASSWORD.*DASHBOARD_TOKEN/);
  });

  it('refuses a username without a password, in any mode', () => {
    expect(() => resolveCredentials({ ...base, NODE_ENV: 'development', DASHBOARD_USERNAME: 'a' })).toThrow(
      /must be set together/,
    );
  });

  it('is open in development without credentials, and never puts a secret in a message', () => {
    expect(resolveCredentials({ ...base, NODE_ENV: 'development' })).toBeUndefined();
    try {
      resolveCredentials({ ...base, DASHBOARD_PASSWORD: 'hunter2-secret' });
    } catch (err) {
      expect(String(err)).not.toContain('hunter2-secret');
    }
  });

  it('accepts a token alone or basic credentials', () => {
    expect(resolveCredentials({ ...base, DASHBOARD_TOKEN: 't' })).toEqual({ token: 't' });
    expect(resolveCredentials({ ...base, DASHBOARD_USERNAME: 'u', DASHBOARD_PASSWORD: 'p' })).toEqual({
      basic: { username: 'u', password: 'p' },
    });
  });
});

describe('constantTimeEqual', () => {
  it('compares strings of any length', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'x')).toBe(false);
  });
});
