import { getModel, type ModelName } from '@kombo-sync/catalog';
import type { Intent, TakenIntent } from '@kombo-sync/queue';
import type { RunSummary } from '@kombo-sync/sync';

/**
 * The work a run that stopped early (yielded, cancelled, failed, aborted) leaves for the next: exactly its models
 * that neither succeeded nor were skipped, each with the kind of pass it needs (a full pass, which resumes its open
 * pass, in `fullModels`; a delta stays a delta), so the next run fetches no page of a model that finished. A refresh
 * of embedded copies left unfinished (its pending children are kept in Postgres) needs only some run of the
 * integration: a delta of the run's first model. `handOn` (bulk work a delta-lane run passed on) is added. The
 * intent's lifecycle parts were applied already and are not handed back. Undefined when nothing is left.
 */
export function unfinishedWork(
  summary: Pick<RunSummary, 'models' | 'embeddedRefresh'>,
  intent: Pick<TakenIntent, 'triggers' | 'requestIds' | 'traceparents'>,
  handOn?: Partial<Intent>,
): Partial<Intent> | undefined {
  const left = summary.models.filter((model) => model.status !== 'succeeded' && model.status !== 'skipped');
  const models = new Set<ModelName>(left.map((model) => model.model));
  const isRefreshLeft = Boolean(summary.embeddedRefresh?.isYielded || summary.embeddedRefresh?.error);
  const first = summary.models[0]?.model;
  if (models.size === 0 && isRefreshLeft && first) models.add(first);
  // Endpoints without cursors are read whole by every pass: they need no full pass to be asked for.
  const fullModels = new Set<ModelName>(
    left.filter((model) => model.isFullPass && getModel(model.model).paging !== 'none').map((m) => m.model),
  );
  for (const model of handOn?.models === 'all' ? [] : (handOn?.models ?? [])) models.add(model);
  for (const model of handOn?.fullModels ?? []) fullModels.add(model);
  if (models.size === 0 && handOn?.models !== 'all') return undefined;
  return {
    models: handOn?.models === 'all' ? 'all' : [...models],
    full: handOn?.full ?? false,
    ...(fullModels.size > 0 ? { fullModels: [...fullModels] } : {}),
    triggers: intent.triggers,
    requestIds: intent.requestIds,
    ...(intent.traceparents ? { traceparents: intent.traceparents } : {}),
  };
}
