// The ingress for tests (`@kombo-sync/ingress/testing`): its test harness, and its app factory and config for tests
// and the bench that compose it. Tests of other apps, test/ and bench/ reach the ingress only here.
export * from './ingress-harness.js';
export { createIngressApp, type IngressDeps } from '../app.js';
export { ingressConfig, type IngressConfig, type IngressConfigOverrides } from '../ingress-config.js';
