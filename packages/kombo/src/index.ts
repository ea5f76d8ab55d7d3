export {
  createKomboClient,
  KOMBO_EU_BASE_URL,
  type KomboApiKeyInfo,
  type KomboClient,
  type FieldDefinitionKind,
  type KomboClientOptions,
  type KomboCustomField,
  type KomboFieldDefinitions,
  type KomboIntegration,
  type KomboIntegrationField,
  type KomboPage,
  type KomboRejectedRecord,
  type PagesOptions,
} from './client.js';
export {
  KomboAuthenticationError,
  KomboError,
  KomboIntegrationInactiveError,
  KomboIntegrationNotFoundError,
  KomboMalformedResponseError,
  KomboModelUnavailableError,
  KomboNetworkError,
  KomboRateLimitError,
  KomboRepeatedCursorError,
  KomboServerError,
  KomboSetupPendingError,
  type KomboErrorOptions,
} from './errors.js';
export {
  isoDateTimeSchema,
  pageEnvelopeSchema,
  parsePage,
  RECORD_SCHEMAS,
  type KomboRecord,
  type ParsedPage,
  type RejectedRecord,
} from './record-schemas.js';
export type { KomboLogger, KomboRequestEvent } from './request.js';
export type { KomboBudgetRequest, KomboRequestBudget, KomboRequestPermit } from './request-budget.js';
export {
  createWebhookVerifier,
  signWebhook,
  verifyWebhook,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookVerifier,
} from './webhook-signature.js';
export {
  connectionFlowFailedEventSchema,
  dataChangedEventSchema,
  integrationCreatedEventSchema,
  integrationDeletedEventSchema,
  integrationStateChangedEventSchema,
  parseWebhookEvent,
  remoteEventReceivedEventSchema,
  syncFinishedEventSchema,
  webhookEndUserSchema,
  WEBHOOK_EVENT_SCHEMAS,
  type ConnectionFlowFailedEvent,
  type DataChangedEvent,
  type IntegrationCreatedEvent,
  type IntegrationDeletedEvent,
  type IntegrationStateChangedEvent,
  type KnownWebhookType,
  type RemoteEventReceivedEvent,
  type SyncFinishedEvent,
  type UnknownWebhookEvent,
  type WebhookEvent,
} from './webhooks.js';
export { withoutRemoteData } from './strip-remote-data.js';
export {
  createEnvironmentClient,
  environmentOf,
  ENVIRONMENT_NAME_PATTERN,
  ENVIRONMENT_SEPARATOR,
  integrationKey,
  KomboUnknownEnvironmentError,
  splitIntegrationKey,
} from './environments.js';
