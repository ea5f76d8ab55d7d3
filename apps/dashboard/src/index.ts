export { createDashboardApp, QUEUES_PATH } from './create-dashboard-app.js';
export { DashboardConfigError, resolveCredentials } from './auth.js';
export { DEFAULT_LAG_THRESHOLD_MS, type DashboardConfig, type DashboardDeps } from './deps.js';
