export { createLogger, REDACT_PATHS, type CreateLoggerOptions, type Logger } from './create-logger.js';
