import { terminalText } from './terminal-text.js';

/** Exit codes scripts can rely on (documented in apps/cli/README.md). */
export const EXIT = {
  ok: 0,
  /** A sync failed, a verify found differences, or another failure. */
  failure: 1,
  /** Bad arguments, unknown model names, invalid configuration. */
  usage: 2,
  /** The integration is unknown (or deleted). */
  notFound: 3,
  /** Postgres, Redis or Kombo could not be reached. */
  unreachable: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one line on stderr and turns into an exit code; never carries a secret. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
    this.name = 'UsageError';
  }
}

export class IntegrationNotFoundError extends CliError {
  constructor(readonly integrationId: string) {
    super(
      `Unknown integration: ${terminalText(integrationId, 120)} (see \`kombo-sync integrations list\`)`,
      EXIT.notFound,
    );
    this.name = 'IntegrationNotFoundError';
  }
}

export class ServiceUnreachableError extends CliError {
  constructor(service: string, target: string, reason: string, options?: { cause?: unknown }) {
    super(`Cannot reach ${service} at ${target}: ${reason}`, EXIT.unreachable, options);
    this.name = 'ServiceUnreachableError';
  }
}
