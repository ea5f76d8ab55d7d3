export { ConfigError, loadConfig, loadConfigOrExit } from './load-config.js';
export { boolVar, intVar, listVar, urlVar } from './fields.js';
export {
  dashboardEnv,
  databaseEnv,
  ingressEnv,
  komboEnv,
  loggingEnv,
  redisEnv,
  runtimeEnv,
  syncEnv,
  webhookEnv,
} from './schemas.js';
