// turbo's task graph is the workspace dependency graph, and each package's tasks hash only its own folder: an
// internal import missing from package.json, or a package checked with another package's tsconfig, would let turbo
// replay a cached typecheck, lint or test after the code it covers changed. These checks keep the graph honest.
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BUNDLES } from '../scripts/build.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');

interface PackageJson {
  name: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const WORKSPACES = ['apps', 'packages'].flatMap((dir) =>
  readdirSync(path.join(ROOT, dir)).map((name) => `${dir}/${name}`),
);

function readJson<T>(file: string): T {
  // tsconfig files may hold whole-line comments
  return JSON.parse(readFileSync(path.join(ROOT, file), 'utf8').replace(/^\s*\/\/.*$/gm, '')) as T;
}

/** The internal packages a workspace's sources import, by package name or by relative path into packages/. */
function internalImports(workspace: string): Set<string> {
  const names = new Set<string>();
  const src = path.join(ROOT, workspace, 'src');
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts')) continue;
    const text = readFileSync(path.join(src, file), 'utf8');
    for (const match of text.matchAll(/from '@kombo-sync\/([a-z-]+)'|import\('@kombo-sync\/([a-z-]+)'\)/g)) {
      names.add(`@kombo-sync/${match[1] ?? match[2]}`);
    }
    for (const match of text.matchAll(/'(?:\.\.\/)+packages\/([a-z-]+)\//g))
      names.add(`@kombo-sync/${match[1]}`);
  }
  return names;
}

describe('workspace tasks for turbo', () => {
  it.each(WORKSPACES)('%s has the shared scripts, on its own tsconfig.json', (workspace) => {
    const pkg = readJson<PackageJson>(`${workspace}/package.json`);
    expect(pkg.scripts).toMatchObject({
      typecheck: 'tsc -p tsconfig.json --noEmit',
      lint: 'eslint .',
      test: 'node ../../scripts/unit-test.mjs',
    });
    const bundles = Object.entries(BUNDLES).filter(([, bundle]) => bundle.workspace === workspace);
    expect(pkg.scripts?.build).toBe(
      bundles.length > 0
        ? `node ../../scripts/build.mjs ${bundles.map(([name]) => name).join(' ')}`
        : undefined,
    );
    const tsconfig = readJson<{ extends: string; include: string[] }>(`${workspace}/tsconfig.json`);
    expect(tsconfig).toMatchObject({ extends: '../../tsconfig.base.json', include: ['src/**/*.ts'] });
  });

  it.each(WORKSPACES)('%s declares every internal package it imports', (workspace) => {
    const pkg = readJson<PackageJson>(`${workspace}/package.json`);
    const declared = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    const missing = [...internalImports(workspace)].filter(
      (name) => name !== pkg.name && !declared.includes(name),
    );
    expect(missing).toEqual([]);
  });
});
