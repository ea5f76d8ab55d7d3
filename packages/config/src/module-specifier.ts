import { statSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Where a module variable such as SYNC_HANDLERS_MODULE points, as {@link resolveModuleSpecifier} reads it. */
export type ResolvedModule = { kind: 'file'; path: string; url: string } | { kind: 'package'; url: string };

/**
 * Resolves a module variable's value: a path (starting with `.` or absolute) against `cwd` (default: the working
 * directory) to a file URL, anything else as a package name left to Node's module resolution. One rule for the
 * config check (the file exists) and the import (apps/worker load-handlers.ts).
 */
export function resolveModuleSpecifier(specifier: string, cwd = process.cwd()): ResolvedModule {
  if (!specifier.startsWith('.') && !isAbsolute(specifier)) return { kind: 'package', url: specifier };
  const path = resolve(cwd, specifier);
  return { kind: 'file', path, url: pathToFileURL(path).href };
}

/** A path module must be an existing file; a package name is checked when it is imported. */
export function isExistingModule(specifier: string, cwd = process.cwd()): boolean {
  const resolved = resolveModuleSpecifier(specifier, cwd);
  return resolved.kind === 'package' || statSync(resolved.path, { throwIfNoEntry: false })?.isFile() === true;
}
