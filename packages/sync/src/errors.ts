import type { ClassifyError, ErrorClassification, SyncErrorInfo, YieldReason } from './types.js';

/** Thrown by the engine when a source breaks its contract (e.g. a pass that yields no page). Fails the model. */
export class SyncSourceContractError extends Error {
  readonly code = 'SYNC.SOURCE_CONTRACT';
  constructor(message: string) {
    super(message);
    this.name = 'SyncSourceContractError';
  }
}

/**
 * Thrown instead of starting a Kombo request once the run's yield signal aborted (by the engine, or by a source that
 * learnt a reason to stop): the model stops at that page boundary and reports `yielded`. Not an error of the model.
 */
export class PassYieldedError extends Error {
  readonly code = 'SYNC.YIELDED';
  constructor(readonly reason: YieldReason) {
    super(`the run yields (${reason}): stopping at the page boundary`);
    this.name = 'PassYieldedError';
  }
}

/** The yield reason an aborted yield signal carries (`'shutdown'` when it carries none of the known ones). */
export function yieldReasonOf(signal: AbortSignal): YieldReason {
  const reason: unknown = signal.reason;
  return reason === 'pause' || reason === 'slice' ? reason : 'shutdown';
}

/** The default classifier: every error fails its model (the run then fails so the job retries). */
export const failModelOnError: ClassifyError = () => ({ kind: 'fail-model' });

function stringProperty(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const property = (value as Record<string, unknown>)[key];
  return typeof property === 'string' ? property : undefined;
}

/**
 * Classifies `error` with `classify` (falling back to `fail-model` if the classifier itself throws) and builds the
 * engine's error report: code from the classification, else the error's `code`, else `SYNC.ERROR`; the record id
 * is appended to the message when known; the error's `logUrl` (a Kombo error's log link) is kept.
 */
export function toSyncErrorInfo(error: unknown, classify: ClassifyError): SyncErrorInfo {
  let classification: ErrorClassification;
  try {
    classification = classify(error);
  } catch {
    classification = { kind: 'fail-model' };
  }
  const code = classification.code ?? stringProperty(error, 'code') ?? 'SYNC.ERROR';
  const recordId = classification.recordId ?? stringProperty(error, 'recordId');
  const logUrl = stringProperty(error, 'logUrl');
  let message = error instanceof Error ? error.message : String(error);
  if (recordId !== undefined && !message.includes(recordId)) message = `${message} (record ${recordId})`;
  return {
    kind: classification.kind,
    code,
    message,
    cause: error,
    ...(recordId === undefined ? {} : { recordId }),
    ...(logUrl === undefined ? {} : { logUrl }),
  };
}
