// Test helpers of @kombo-sync/db (`@kombo-sync/db/testing`), never exported from the production entry point.
export { createTestDatabase, type TestDatabase } from './create-test-database.js';
export { pageJson } from '../write-page.js';
export { FETCH_0, FETCH_1, newIntegration, T0, T1 } from './write-page-fixtures.js';
export { expectedStates, fleetMember, seedFleet, seedRunHistory, type FleetMember } from './seed-fleet.js';
