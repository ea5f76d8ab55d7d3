import type { Response } from 'express';

const TITLES: Record<string, string> = {
  'PLATFORM.AUTHENTICATION_INVALID': 'Authentication invalid',
  'PLATFORM.INTEGRATION_NOT_FOUND': 'Integration not found',
  'PLATFORM.INPUT_INVALID': 'Input invalid',
  'PLATFORM.RATE_LIMIT_EXCEEDED': 'Rate limit exceeded',
  'PLATFORM.CONCURRENCY_LIMIT_EXCEEDED': 'Concurrency limit exceeded',
  'PLATFORM.UNKNOWN_ERROR': 'Unknown error',
  'REMOTE.RATE_LIMIT_EXCEEDED': 'Remote rate limit exceeded',
  'REMOTE.SERVICE_UNAVAILABLE': 'Remote service unavailable',
  'INTEGRATION.SETUP_SYNC_PENDING': 'Setup sync pending',
  'INTEGRATION.MODEL_NOT_AVAILABLE': 'Model not available',
  'INTEGRATION.INACTIVE': 'Integration inactive',
  'INTEGRATION.AUTHENTICATION_INVALID': 'Integration authentication invalid',
};

let logSeq = 0;

/** Sends Kombo's error envelope: `{ status: 'error', error: { code, title, message, log_url } }`. */
export function sendKomboError(res: Response, status: number, code: string, message: string): void {
  logSeq += 1;
  res.status(status).json({
    status: 'error',
    error: {
      code,
      title: TITLES[code] ?? null,
      message,
      log_url: `https://app.kombo.dev/env/sandbox/logs/sandbox-${logSeq}`,
    },
  });
}
