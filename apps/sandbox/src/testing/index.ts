// The sandbox for tests (`@kombo-sync/sandbox/testing`): a Kombo-compatible server on port 0 that a test drives
// (data, mutations, faults, signed webhooks). Tests of other apps and of test/ reach the sandbox only here.
export * from '../index.js';
