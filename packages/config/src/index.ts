export { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';
export {
  boolVar,
  intVar,
  listVar,
  modelListVar,
  moduleVar,
  otlpHeadersVar,
  positiveNumberVar,
  redisUrlVar,
  urlVar,
} from './fields.js';
export {
  parseRedisUrl,
  REDIS_URL_FORMS,
  redisHashTag,
  RedisUrlError,
  type RedisTarget,
} from './redis-url.js';
export { isExistingModule, resolveModuleSpecifier, type ResolvedModule } from './module-specifier.js';
export {
  crossVariableRules,
  dashboardSettings,
  databaseSettings,
  deliverySettings,
  ingressSettings,
  komboBudgetSettings,
  komboSettings,
  loggingSettings,
  metricsSettings,
  redisSettings,
  runtimeSettings,
  storageSettings,
  syncSettings,
  tracingSettings,
  webhookSettings,
  type CrossVariableRule,
  type TracingConfig,
} from './schemas.js';
export {
  buildConfig,
  defaultsOf,
  envVar,
  internal,
  type Config,
  type ConfigOverrides,
  type EnvSetting,
  type InternalSetting,
  type Setting,
  type SettingsSpec,
} from './settings.js';
export {
  formatDurationMs,
  MIN_FULL_INTERVAL_MS,
  MIN_SAFETY_NET_INTERVAL_MS,
  parseDurationMs,
} from './interval.js';
export {
  ENVIRONMENT_NAME_PATTERN,
  ENVIRONMENT_SEPARATOR,
  environmentOf,
  integrationKey,
  splitIntegrationKey,
  environmentApis,
  environmentApiSettings,
  environmentNamesVar,
  environmentVariable,
  environmentWebhooks,
  environmentWebhookSettings,
  komboEnvironmentSettings,
  type KomboEnvironmentApi,
  type KomboEnvironmentWebhooks,
} from './environments.js';
