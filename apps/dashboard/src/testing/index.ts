// The dashboard for tests (`@kombo-sync/dashboard/testing`): its test helpers, and its app factory and config
// for tests that compose it. Tests of other apps, test/ and bench/ reach the dashboard only here.
export * from './dashboard-harness.js';
export * from './launch-chromium.js';
export * from './seed.js';
export { createDashboardApp } from '../create-dashboard-app.js';
export { dashboardConfig, type DashboardConfig, type DashboardConfigOverrides } from '../dashboard-config.js';
