// Test support (not production code): the repository's import graph, read with the TypeScript compiler's parser
// (no type check, so it takes a second or two): every import, re-export and dynamic import of every source file,
// resolved to the file it names, and the type names each file exports. test/import-rules.test.ts checks the rules of
// ARCHITECTURE.md ("Packages and apps") against it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

export const SCOPE = '@kombo-sync/';

/** A workspace of the monorepo: `apps/<folder>` or `packages/<folder>`. */
export interface Workspace {
  /** `apps/worker`. */
  readonly dir: string;
  readonly kind: 'app' | 'package';
  /** `worker`. */
  readonly folder: string;
  /** `@kombo-sync/worker`. */
  readonly name: string;
  /** package.json `exports`: subpath (`.`, `./testing`) → file, repository-relative. */
  readonly exports: ReadonlyMap<string, string>;
  readonly dependencies: ReadonlySet<string>;
  readonly devDependencies: ReadonlySet<string>;
}

export type ImportKind = 'relative' | 'workspace' | 'builtin' | 'external';

export interface Import {
  readonly specifier: string;
  readonly kind: ImportKind;
  /** Only types cross it (`import type`, `export type … from`, `import('x').T`): nothing is loaded at run time. */
  readonly isTypeOnly: boolean;
  readonly line: number;
  /** The npm package (`drizzle-orm`, `@opentelemetry/api`, `@kombo-sync/db`) of a non-relative import. */
  readonly packageName?: string;
  /** The subpath of a workspace import: `.` or `./testing`. */
  readonly subpath?: string;
  /** The file it resolves to, repository-relative, when it is one of ours. */
  readonly target?: string;
}

export interface SourceFile {
  /** Repository-relative, e.g. `apps/worker/src/main.ts`. */
  readonly path: string;
  /** The workspace it belongs to; none for `test/`, `bench/`, `examples/`, `scripts/`. */
  readonly workspace?: Workspace;
  /** A test (`*.test.ts`) or test support (`src/testing/`, `test/`): not production code. */
  readonly isTest: boolean;
  readonly imports: readonly Import[];
  /** Names of the types, interfaces, classes and enums it declares at its top level, exported or not. */
  readonly typeNames: readonly string[];
}

export interface ImportGraph {
  readonly root: string;
  readonly workspaces: ReadonlyMap<string, Workspace>;
  readonly files: ReadonlyMap<string, SourceFile>;
  /** The root package.json's devDependencies: test tooling every workspace's tests may use. */
  readonly rootDevDependencies: ReadonlySet<string>;
}

const SOURCE = /\.(ts|mts|mjs)$/;
const BUILTINS = new Set(builtinModules);

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) return [];
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return walk(full);
    return SOURCE.test(entry) && !/\.d\.m?ts$/.test(entry) ? [full] : [];
  });
}

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function readWorkspaces(root: string): Map<string, Workspace> {
  const workspaces = new Map<string, Workspace>();
  for (const kind of ['app', 'package'] as const) {
    const parent = kind === 'app' ? 'apps' : 'packages';
    for (const folder of readdirSync(path.join(root, parent))) {
      const dir = `${parent}/${folder}`;
      if (!existsSync(path.join(root, dir, 'package.json'))) continue;
      const pkg = readJson(path.join(root, dir, 'package.json'));
      const exports = new Map(
        Object.entries((pkg['exports'] as Record<string, string> | undefined) ?? {}).map(([sub, file]) => [
          sub,
          path.posix.join(dir, file),
        ]),
      );
      const keys = (field: string) => new Set(Object.keys((pkg[field] as object | undefined) ?? {}));
      workspaces.set(dir, {
        dir,
        kind,
        folder,
        name: String(pkg['name']),
        exports,
        dependencies: keys('dependencies'),
        devDependencies: keys('devDependencies'),
      });
    }
  }
  return workspaces;
}

/** The npm package an import names: `a/b` → `a`, `@s/a/b` → `@s/a`. */
function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

function resolveRelative(root: string, from: string, specifier: string): string | undefined {
  const base = path.resolve(root, path.dirname(from), specifier);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    `${base}.ts`,
    path.join(base, 'index.ts'),
  ];
  const found = candidates.find((file) => existsSync(file) && statSync(file).isFile());
  return found && path.relative(root, found).split(path.sep).join('/');
}

function classify(
  root: string,
  from: string,
  specifier: string,
  byName: ReadonlyMap<string, Workspace>,
): Pick<Import, 'kind' | 'packageName' | 'subpath' | 'target'> {
  if (specifier.startsWith('.')) {
    const target = resolveRelative(root, from, specifier);
    return { kind: 'relative', ...(target ? { target } : {}) };
  }
  if (specifier.startsWith('node:') || BUILTINS.has(specifier)) return { kind: 'builtin' };
  const packageName = packageNameOf(specifier);
  const workspace = byName.get(packageName);
  if (!workspace) return { kind: 'external', packageName };
  const subpath = `.${specifier.slice(packageName.length)}`;
  const target = workspace.exports.get(subpath);
  return { kind: 'workspace', packageName, subpath, ...(target ? { target } : {}) };
}

function parse(
  root: string,
  file: string,
  byName: ReadonlyMap<string, Workspace>,
): Pick<SourceFile, 'imports' | 'typeNames'> {
  const text = readFileSync(path.join(root, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const imports: Import[] = [];
  const typeNames: string[] = [];
  const add = (specifierNode: ts.Expression, isTypeOnly: boolean) => {
    if (!ts.isStringLiteralLike(specifierNode)) return;
    const specifier = specifierNode.text;
    const line = source.getLineAndCharacterOfPosition(specifierNode.getStart()).line + 1;
    imports.push({ specifier, isTypeOnly, line, ...classify(root, file, specifier, byName) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const isEveryNameTypeOnly =
        clause !== undefined &&
        clause.name === undefined &&
        bindings !== undefined &&
        ts.isNamedImports(bindings) &&
        bindings.elements.length > 0 &&
        bindings.elements.every((element) => element.isTypeOnly);
      add(node.moduleSpecifier, Boolean(clause?.isTypeOnly) || isEveryNameTypeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const clause = node.exportClause;
      const isEveryNameTypeOnly =
        clause !== undefined &&
        ts.isNamedExports(clause) &&
        clause.elements.length > 0 &&
        clause.elements.every((element) => element.isTypeOnly);
      add(node.moduleSpecifier, node.isTypeOnly || isEveryNameTypeOnly);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, true);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0]
    ) {
      add(node.arguments[0], false);
    } else if (
      (ts.isInterfaceDeclaration(node) ||
        ts.isTypeAliasDeclaration(node) ||
        ts.isClassDeclaration(node) ||
        ts.isEnumDeclaration(node)) &&
      node.parent === source &&
      node.name
    ) {
      typeNames.push(node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, typeNames };
}

/** Reads every source file under apps/*\/src, packages/*\/src, test/, bench/, examples/ and scripts/. */
export function loadImportGraph(root: string): ImportGraph {
  const workspaces = readWorkspaces(root);
  const byName = new Map([...workspaces.values()].map((workspace) => [workspace.name, workspace]));
  const dirs = [...[...workspaces.keys()].map((dir) => `${dir}/src`), 'test', 'bench', 'examples', 'scripts'];
  const files = new Map<string, SourceFile>();
  for (const dir of dirs) {
    for (const full of walk(path.join(root, dir))) {
      const file = path.relative(root, full).split(path.sep).join('/');
      const workspace = [...workspaces.values()].find((candidate) => file.startsWith(`${candidate.dir}/`));
      const isTest = /\.test\.ts$/.test(file) || /\/src\/testing\//.test(file) || file.startsWith('test/');
      files.set(file, {
        path: file,
        ...(workspace ? { workspace } : {}),
        isTest,
        ...parse(root, file, byName),
      });
    }
  }
  const rootPkg = readJson(path.join(root, 'package.json'));
  const rootDevDependencies = new Set(Object.keys((rootPkg['devDependencies'] as object | undefined) ?? {}));
  return { root, workspaces, files, rootDevDependencies };
}

/** The import cycles among our files over run-time imports (type-only ones load nothing), each as a file list. */
export function findCycles(graph: ImportGraph): string[][] {
  const edges = new Map<string, string[]>();
  for (const file of graph.files.values()) {
    const targets = file.imports.flatMap((edge) =>
      !edge.isTypeOnly && edge.target && graph.files.has(edge.target) ? [edge.target] : [],
    );
    edges.set(file.path, targets);
  }
  // Tarjan's strongly connected components; a component of more than one file (or a self-import) is a cycle.
  let index = 0;
  const indexOf = new Map<string, number>();
  const lowOf = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (node: string): void => {
    indexOf.set(node, index);
    lowOf.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indexOf.has(next)) {
        connect(next);
        lowOf.set(node, Math.min(lowOf.get(node)!, lowOf.get(next)!));
      } else if (onStack.has(next)) {
        lowOf.set(node, Math.min(lowOf.get(node)!, indexOf.get(next)!));
      }
    }
    if (lowOf.get(node) !== indexOf.get(node)) return;
    const component: string[] = [];
    for (;;) {
      const member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
      if (member === node) break;
    }
    if (component.length > 1 || (edges.get(node) ?? []).includes(node)) cycles.push(component.sort());
  };
  for (const node of edges.keys()) if (!indexOf.has(node)) connect(node);
  return cycles;
}
