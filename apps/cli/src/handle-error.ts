import { CommanderError } from 'commander';
import { ConfigError } from '@kombo-sync/config';
import { DatabaseConnectionError } from '@kombo-sync/db';
import { CliError, EXIT, type ExitCode } from './errors.js';

export interface ErrorContext {
  /** `host:port` of Redis, named when a Redis command fails mid-way. */
  redisTarget: string;
  /** Host of the Kombo API, named when it cannot be reached. */
  komboTarget?: string;
}

/**
 * Maps an error that ended a command to its exit code and a one-line message for stderr (undefined when it was
 * already printed, e.g. by commander). Messages name host:port, never credentials.
 */
export function describeFailure(
  err: unknown,
  context: ErrorContext,
): { exitCode: ExitCode; message?: string } {
  if (err instanceof CommanderError) {
    const isInformational = err.code === 'commander.helpDisplayed' || err.code === 'commander.version';
    return { exitCode: isInformational || err.exitCode === 0 ? EXIT.ok : EXIT.usage };
  }
  if (err instanceof CliError) return { exitCode: err.exitCode, message: err.message };
  if (err instanceof ConfigError) return { exitCode: EXIT.usage, message: err.message };
  if (err instanceof DatabaseConnectionError) return { exitCode: EXIT.unreachable, message: err.message };
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && code.startsWith('NETWORK.')) {
    return {
      exitCode: EXIT.unreachable,
      message: `Cannot reach Kombo at ${context.komboTarget ?? 'KOMBO_API_URL'}: ${message}`,
    };
  }
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND)$/.test(code)) {
    return { exitCode: EXIT.unreachable, message: `Lost connection to a service: ${message}` };
  }
  if (
    err instanceof Error &&
    (err.name === 'MaxRetriesPerRequestError' || /Connection is closed/.test(message))
  ) {
    return {
      exitCode: EXIT.unreachable,
      message: `Lost connection to Redis at ${context.redisTarget}: ${message}`,
    };
  }
  if (typeof code === 'string' && code.includes('.')) {
    return { exitCode: EXIT.failure, message: `Kombo error ${code}: ${message}` };
  }
  return { exitCode: EXIT.failure, message: `Error: ${message}` };
}
