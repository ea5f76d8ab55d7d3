// Test helpers of @kombo-sync/metrics (`@kombo-sync/metrics/testing`), never exported from the production entry point.
export { parseExposition, sampleValue, type Exposition, type Sample } from './parse-exposition.js';
