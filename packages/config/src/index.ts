export { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';
export { boolVar, intVar, listVar, modelListVar, moduleVar, positiveNumberVar, urlVar } from './fields.js';
export { isExistingModule, resolveModuleSpecifier, type ResolvedModule } from './module-specifier.js';
export {
  dashboardEnv,
  databaseEnv,
  ingressEnv,
  komboBudgetEnv,
  komboEnv,
  loggingEnv,
  redisEnv,
  runtimeEnv,
  syncEnv,
  webhookEnv,
} from './schemas.js';
