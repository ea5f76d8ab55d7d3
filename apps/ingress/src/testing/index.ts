// Test helpers of the ingress (`@kombo-sync/ingress/testing`), for its tests and the cross-app tests in test/.
export * from './ingress-harness.js';
