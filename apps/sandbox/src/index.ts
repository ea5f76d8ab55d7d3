export { createSandbox, type RunningSandbox, type Sandbox, type SandboxOptions } from './server.js';
export {
  SandboxCore,
  SandboxError,
  type CreateIntegrationOptions,
  type SendWebhookOptions,
} from './sandbox-core.js';
export { FAULT_NAMES, type FaultInjection, type FaultName, type FaultSettings } from './faults.js';
export type { MutateRequest } from './mutations.js';
export type { MutationEngineOptions } from './mutation-engine.js';
export type { SandboxStats } from './stats.js';
export type { WebhookSettings, WebhookStats } from './webhook-sender.js';
export type { WebhookType } from './webhook-events.js';
export type { Clock } from './clock.js';
