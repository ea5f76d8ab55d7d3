import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isModelName } from '@kombo-sync/catalog';
import type { Executor } from '@kombo-sync/db';
import type { SyncHandlers } from '@kombo-sync/sync';

/**
 * Imports a SYNC_HANDLERS_MODULE (a path, relative to `cwd`, or a package name) and checks its `handlers` export:
 * an object of catalog model names to functions. Throws a clear error otherwise, so a misconfigured worker refuses
 * to start.
 */
export async function loadHandlers(specifier: string, cwd = process.cwd()): Promise<SyncHandlers<Executor>> {
  const isPath = specifier.startsWith('.') || isAbsolute(specifier);
  const url = isPath ? pathToFileURL(resolve(cwd, specifier)).href : specifier;
  const module = (await import(url)) as { handlers?: unknown };
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
