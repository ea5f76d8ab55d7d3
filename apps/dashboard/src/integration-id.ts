import type { RequestHandler } from 'express';
import { DashboardError } from './dashboard-error.js';

/**
 * The `:id` of an integration route, checked before any route reads it: Postgres's text cannot hold the NUL
 * character, so an id with one (`%00` in the path) names no integration and is a malformed request (400), not a
 * failed query (500).
 */
export const checkIntegrationId: RequestHandler = (req, _res, next) => {
  const id = req.params['id'];
  if (typeof id === 'string' && id.includes('\0')) {
    next(
      new DashboardError(
        400,
        'INVALID_INTEGRATION_ID',
        'The integration id must not contain a NUL character',
      ),
    );
    return;
  }
  next();
};
