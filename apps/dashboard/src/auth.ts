import type { RequestHandler } from 'express';
import type { Logger } from '@kombo-sync/logger';
import type { DashboardConfig } from './deps.js';
import { constantTimeEqual } from './constant-time-equal.js';
import { DashboardError } from './dashboard-error.js';

export { constantTimeEqual };

/** Thrown by `createDashboardApp` when the credentials configuration is unsafe or incomplete. */
export class DashboardConfigError extends Error {
  readonly code = 'DASHBOARD_CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'DashboardConfigError';
  }
}

interface Credentials {
  basic?: { username: string; password: string };
  token?: string;
}

/**
 * Reads the credentials from the config. Throws a {@link DashboardConfigError} when only one of username/password
 * is set, or when NODE_ENV=production and none are set; returns `undefined` (open dashboard) otherwise.
 */
export function resolveCredentials(config: DashboardConfig): Credentials | undefined {
  const { dashboardUsername: username, dashboardPassword: password, dashboardToken: token } = config;
  if (Boolean(username) !== Boolean(password)) {
    throw new DashboardConfigError(
      'DASHBOARD_USERNAME and DASHBOARD_PASSWORD must be set together (basic auth needs both).',
    );
  }
  const credentials: Credentials = {
    ...(username && password && { basic: { username, password } }),
    ...(token && { token }),
  };
  if (credentials.basic || credentials.token) return credentials;
  if (config.nodeEnv === 'production') {
    throw new DashboardConfigError(
      'The dashboard refuses to start without credentials in production (NODE_ENV=production): set ' +
        'DASHBOARD_USERNAME and DASHBOARD_PASSWORD (basic auth) and/or DASHBOARD_TOKEN (bearer token).',
    );
  }
  return undefined;
}

function isAuthorized(header: string | undefined, credentials: Credentials): boolean {
  if (!header) return false;
  const [scheme = '', value = ''] = header.trim().split(/\s+/, 2);
  if (scheme.toLowerCase() === 'bearer' && credentials.token)
    return constantTimeEqual(value, credentials.token);
  if (scheme.toLowerCase() === 'basic' && credentials.basic) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return false;
    // Both compared always, so timing does not tell which one was wrong.
    const isUser = constantTimeEqual(decoded.slice(0, colon), credentials.basic.username);
    const isPassword = constantTimeEqual(decoded.slice(colon + 1), credentials.basic.password);
    return isUser && isPassword;
  }
  return false;
}

/**
 * Auth middleware: basic auth and/or bearer token as configured. Without credentials (development only, see
 * {@link resolveCredentials}) everything is open and a warning is logged once. Credentials are never logged.
 */
export function createAuth(config: DashboardConfig, logger: Logger): RequestHandler {
  const credentials = resolveCredentials(config);
  if (!credentials) {
    logger.warn(
      'dashboard is OPEN: no DASHBOARD_USERNAME/DASHBOARD_PASSWORD or DASHBOARD_TOKEN set (refused in production)',
    );
    return (_req, _res, next) => next();
  }
  return (req, res, next) => {
    if (isAuthorized(req.headers.authorization, credentials)) return next();
    if (credentials.basic)
      res.setHeader('WWW-Authenticate', 'Basic realm="kombo-sync dashboard", charset="UTF-8"');
    next(new DashboardError(401, 'UNAUTHORIZED', 'Authentication required'));
  };
}
