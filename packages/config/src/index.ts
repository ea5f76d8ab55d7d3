export { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';
export {
  boolVar,
  intVar,
  listVar,
  MAX_TIMER_MS,
  modelListVar,
  moduleVar,
  otlpHeadersVar,
  positiveNumberVar,
  redisUrlVar,
  timerMsVar,
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
  configDefaults,
  crossVariableRules,
  dashboardEnv,
  metricsEnv,
  databaseEnv,
  ingressEnv,
  komboBudgetEnv,
  komboEnv,
  loggingEnv,
  MAX_REQUESTS_PER_SECOND,
  MIN_REQUESTS_PER_SECOND,
  redisEnv,
  runtimeEnv,
  storageEnv,
  syncEnv,
  tracingEnv,
  webhookEnv,
  type TracingEnv,
  type CrossVariableRule,
} from './schemas.js';
export {
  formatDurationMs,
  MIN_FULL_INTERVAL_MS,
  MIN_SAFETY_NET_INTERVAL_MS,
  parseDurationMs,
} from './interval.js';
