// Test helpers of @kombo-sync/config (`@kombo-sync/config/testing`), never exported from the production entry point.
export { testServices, type TestServices } from './test-services.js';
