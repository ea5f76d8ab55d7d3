export {
  createLogger,
  MAX_LOGGED_ERROR_TEXT,
  REDACT_PATHS,
  safeSerializedError,
  type CreateLoggerOptions,
  type Logger,
} from './create-logger.js';
