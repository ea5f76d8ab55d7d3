import { getIntegration, type DbLike, type IntegrationRow } from '@kombo-sync/db';
import { IntegrationNotFoundError } from '../errors.js';

/** Loads an integration, throwing {@link IntegrationNotFoundError} (exit 3) for an unknown or deleted one. */
export async function requireIntegration(db: DbLike, integrationId: string): Promise<IntegrationRow> {
  const integration = await getIntegration(db, integrationId);
  if (!integration || integration.deletedAt) throw new IntegrationNotFoundError(integrationId);
  return integration;
}
