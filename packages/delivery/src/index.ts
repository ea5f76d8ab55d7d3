export { refusedAddressReason } from './check-address.js';
export {
  backoffMs,
  decideAfterFailure,
  DEFAULT_RETRY_POLICY,
  type FailureDecision,
  type FailureInput,
  type RetryPolicy,
} from './retry-policy.js';
export {
  MAX_RESPONSE_BYTES,
  sendWebhook,
  type SendOutcome,
  type SendWebhookInput,
  type SendWebhookResult,
} from './send-webhook.js';
export { signWebhook, type SignWebhookInput } from './sign-webhook.js';
export { parseEndpointUrl, redactUrl, summarizeEndpoint, type EndpointSummary } from './endpoint-url.js';
export {
  RECORDS_CHANGED_TYPE,
  webhookBody,
  webhookIdOf,
  type RecordsChangedData,
  type RecordsChangedPayload,
} from './webhook-payload.js';
export { generateWebhookSecret, WEBHOOK_SECRET_PREFIX, webhookSecretKey } from './webhook-secret.js';
export { parseIntegrationFilter, parseModelFilter } from './endpoint-filters.js';
