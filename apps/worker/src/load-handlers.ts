import { isModelName } from '@kombo-sync/catalog';
import { resolveModuleSpecifier } from '@kombo-sync/config';
import type { Executor } from '@kombo-sync/db';
import type { SyncHandlers } from '@kombo-sync/sync';

/**
 * Imports a SYNC_HANDLERS_MODULE (a path, relative to `cwd`, or a package name; resolved by packages/config
 * `resolveModuleSpecifier`, as the config check does) and checks its `handlers` export: an object of catalog model
 * names to functions. Throws an error naming SYNC_HANDLERS_MODULE when the module cannot be imported or its export
 * is not valid, so a misconfigured worker refuses to start.
 */
export async function loadHandlers(specifier: string, cwd = process.cwd()): Promise<SyncHandlers<Executor>> {
  let module: { handlers?: unknown };
  try {
    module = (await import(resolveModuleSpecifier(specifier, cwd).url)) as { handlers?: unknown };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`SYNC_HANDLERS_MODULE ${specifier} could not be imported: ${reason}`, { cause: err });
  }
  const { handlers } = module;
  if (typeof handlers !== 'object' || handlers === null) {
    throw new Error(
      `SYNC_HANDLERS_MODULE ${specifier} must export \`handlers\` (an object keyed by model name)`,
    );
  }
  for (const [model, handler] of Object.entries(handlers)) {
    if (!isModelName(model))
      throw new Error(`SYNC_HANDLERS_MODULE ${specifier}: ${model} is not a catalog model`);
    if (typeof handler !== 'function')
      throw new Error(`SYNC_HANDLERS_MODULE ${specifier}: ${model} is not a function`);
  }
  return handlers as SyncHandlers<Executor>;
}
