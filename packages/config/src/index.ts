export { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';
export {
  boolVar,
  intVar,
  listVar,
  modelListVar,
  moduleVar,
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
  dashboardEnv,
  metricsEnv,
  databaseEnv,
  ingressEnv,
  komboBudgetEnv,
  komboEnv,
  loggingEnv,
  redisEnv,
  runtimeEnv,
  syncEnv,
  webhookEnv,
  type CrossVariableRule,
} from './schemas.js';
