// Test support (not production code): the length of every function in the production sources of apps/ and
// packages/, read with the TypeScript compiler's parser (no type check). test/function-length.test.ts holds the
// count of long functions to a ceiling; `npx tsx test/support/function-lengths.ts [root]` prints them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/** A function is long above this many lines, from its first line (signature) to its last (closing brace). */
export const LONG_FUNCTION_LINES = 60;

export interface FunctionLength {
  /** Repository-relative file, e.g. `apps/worker/src/main.ts`. */
  readonly file: string;
  /** The function's name: its own, its variable's, its property's, or `<anonymous>`. */
  readonly name: string;
  /** 1-based line of its first line. */
  readonly line: number;
  readonly lines: number;
}

const SOURCE = /\.(ts|mts)$/;
const NOT_PRODUCTION = /(\.test\.ts|\.d\.m?ts)$/;

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    if (entry === 'node_modules' || entry === 'dist' || entry === 'testing' || entry.startsWith('.'))
      return [];
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return walk(full);
    return SOURCE.test(entry) && !NOT_PRODUCTION.test(entry) ? [full] : [];
  });
}

/** The production source files of every workspace: `apps/<x>/src` and `packages/<x>/src`, without tests and `src/testing/`. */
export function productionFiles(root: string): string[] {
  return ['apps', 'packages'].flatMap((kind) => {
    const dir = path.join(root, kind);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .sort()
      .flatMap((folder) => walk(path.join(dir, folder, 'src')));
  });
}

function nameOf(node: ts.FunctionLikeDeclaration): string {
  if (node.name && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name))) return node.name.text;
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '<anonymous>';
}

/** Every function with a body (declarations, expressions, arrows, methods, accessors, constructors) in `text`. */
export function functionLengths(file: string, text: string): FunctionLength[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const fn = node as ts.FunctionLikeDeclaration;
      const first = source.getLineAndCharacterOfPosition(fn.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(fn.getEnd()).line;
      found.push({ file, name: nameOf(fn), line: first + 1, lines: last - first + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The functions of `root`'s production sources longer than {@link LONG_FUNCTION_LINES}, longest first. */
export function longFunctions(root: string): FunctionLength[] {
  return productionFiles(root)
    .flatMap((full) => functionLengths(path.relative(root, full), readFileSync(full, 'utf8')))
    .filter((fn) => fn.lines > LONG_FUNCTION_LINES)
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(
    process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), '../..'),
  );
  const long = longFunctions(root);
  for (const fn of long) console.log(`${String(fn.lines).padStart(4)}  ${fn.file}:${fn.line}  ${fn.name}`);
  console.log(`${long.length} functions over ${LONG_FUNCTION_LINES} lines`);
}
