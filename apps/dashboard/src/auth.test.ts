import { describe, expect, it } from '@jest/globals';
import { constantTimeEqual, DashboardConfigError, resolveCredentials } from './auth.js';
import { dashboardConfig, type DashboardConfigOverrides } from './dashboard-config.js';

const base = (overrides: DashboardConfigOverrides = {}) =>
  dashboardConfig({ nodeEnv: 'production', ...overrides });

describe('resolveCredentials', () => {
  it('refuses production without credentials, naming the variables', () => {
    expect(() => resolveCredentials(base())).toThrow(DashboardConfigError);
    expect(() => resolveCredentials(base())).toThrow(
      /DASHBOARD_USERNAME.*DASHBOARD_PASSWORD.*DASHBOARD_TOKEN/,
    );
  });

  it('refuses a username without a password, in any mode', () => {
    expect(() => resolveCredentials(base({ nodeEnv: 'development', dashboardUsername: 'a' }))).toThrow(
      /must be set together/,
    );
  });

  it('is open in development without credentials, and never puts a secret in a message', () => {
    expect(resolveCredentials(base({ nodeEnv: 'development' }))).toBeUndefined();
    try {
      resolveCredentials(base({ dashboardPassword: 'hunter2-secret' }));
    } catch (err) {
      expect(String(err)).not.toContain('hunter2-secret');
    }
  });

  it('accepts a token alone or basic credentials', () => {
    expect(resolveCredentials(base({ dashboardToken: 't' }))).toEqual({ token: 't' });
    expect(resolveCredentials(base({ dashboardUsername: 'u', dashboardPassword: 'p' }))).toEqual({
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
