import { randomUUID } from 'node:crypto';
import { MODELS, type ModelName } from '@kombo-sync/catalog';
import { formatDurationMs, MIN_FULL_INTERVAL_MS, MIN_SAFETY_NET_INTERVAL_MS } from '@kombo-sync/config';
import {
  controlsOf,
  getIntegration,
  setIntegrationControls,
  type IntegrationControls,
  type IntegrationControlsInput,
} from '@kombo-sync/db';
import {
  applyControlChange,
  readScheduleDefaults,
  type ControlChangeResult,
  type ScheduleIntervals,
} from '@kombo-sync/queue';
import type { ActionDeps } from './deps.js';
import { DashboardError } from './dashboard-error.js';

/** An integration's controls, the models its category offers, and the fleet's default intervals (if published). */
export interface ControlsView {
  integrationId: string;
  category: string;
  controls: IntegrationControls;
  availableModels: ModelName[];
  defaults: ScheduleIntervals | undefined;
}

/** The catalog models of the integration's category (HRIS, ATS); none for other categories. */
export const modelsOfCategory = (category: string): ModelName[] =>
  MODELS.filter((model) => model.category === category).map((model) => model.name as ModelName);

async function liveIntegration(deps: ActionDeps, integrationId: string) {
  const row = await getIntegration(deps.db, integrationId);
  if (!row || row.deletedAt) throw new DashboardError(404, 'INTEGRATION_NOT_FOUND', 'No such integration');
  return row;
}

/** Reads the integration's controls; 404 for an unknown or deleted one. */
export async function loadControls(deps: ActionDeps, integrationId: string): Promise<ControlsView> {
  const row = await liveIntegration(deps, integrationId);
  return {
    integrationId,
    category: row.category,
    controls: controlsOf(row),
    availableModels: modelsOfCategory(row.category),
    defaults: await readScheduleDefaults(deps.request.redis, deps.request.prefix),
  };
}

function checkInterval(name: string, value: number | null | undefined, minMs: number): void {
  if (value === undefined || value === null) return;
  if (!Number.isSafeInteger(value) || value < minMs)
    throw new DashboardError(400, 'INVALID_BODY', `${name}: at least ${formatDurationMs(minMs)} in whole ms`);
}

/**
 * Changes the integration's controls (pause/resume, model subset, intervals): Postgres first, then the Redis side
 * (`applyControlChange`: a resume's catch-up sync, initial passes of added models, the scheduler at new intervals).
 * 404 for an unknown integration; 400 for models outside its category or intervals below the minimums.
 */
export async function changeControls(
  deps: ActionDeps,
  integrationId: string,
  input: IntegrationControlsInput,
): Promise<{ view: ControlsView; result: ControlChangeResult }> {
  const row = await liveIntegration(deps, integrationId);
  if (input.models) {
    const valid = new Set(modelsOfCategory(row.category));
    const invalid = input.models.filter((model) => !valid.has(model));
    if (invalid.length > 0 || input.models.length === 0)
      throw new DashboardError(
        400,
        'INVALID_BODY',
        invalid.length > 0
          ? `models: not models of a ${row.category} integration: ${invalid.join(', ')}`
          : 'models: choose at least one model, or null for all',
      );
  }
  checkInterval('fullIntervalMs', input.fullIntervalMs, MIN_FULL_INTERVAL_MS);
  checkInterval('safetyNetIntervalMs', input.safetyNetIntervalMs, MIN_SAFETY_NET_INTERVAL_MS);
  const change = await setIntegrationControls(deps.db, integrationId, input);
  if (!change) throw new DashboardError(404, 'INTEGRATION_NOT_FOUND', 'No such integration');
  const requestId = `dashboard-${randomUUID()}`;
  const result = await applyControlChange(deps.request, {
    integrationId,
    before: controlsOf(change.before),
    after: controlsOf(change.after),
    requestId,
  });
  deps.logger.info({ integrationId, requestId, input, ...result }, 'integration controls changed');
  return { view: await loadControls(deps, integrationId), result };
}
