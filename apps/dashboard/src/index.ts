export { createDashboardApp, QUEUES_PATH } from './create-dashboard-app.js';
export { DashboardConfigError, resolveCredentials } from './auth.js';
export type { DashboardConfig, DashboardDeps } from './deps.js';
export { dashboardConfig, dashboardConfigSpec } from './dashboard-config.js';
export type { IntegrationView, ModelView, RunView, ErrorView } from './status-model.js';
export type { IntegrationDetail, StatusFilter } from './status-queries.js';
