export { createDashboardApp, QUEUES_PATH } from './create-dashboard-app.js';
export { DashboardConfigError, resolveCredentials } from './auth.js';
export type { DashboardConfig, DashboardDeps } from './deps.js';
export { dashboardConfig, dashboardConfigSpec } from './dashboard-config.js';
