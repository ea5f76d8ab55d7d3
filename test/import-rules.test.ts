// The import rules of ARCHITECTURE.md ("Packages and apps") hold in the repository, and each rule reports a break
// of it (planted in a throwaway monorepo), so the next break fails CI.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadImportGraph, type ImportGraph } from './support/import-graph.js';
import { IMPORT_RULES } from './support/import-rules.js';
import { ROOT } from './support/fleet.js';

describe('the import rules hold in the repository', () => {
  let graph: ImportGraph;
  beforeAll(() => {
    graph = loadImportGraph(ROOT);
  });

  it('reads every workspace and its sources', () => {
    expect(graph.workspaces.get('apps/worker')?.name).toBe('@kombo-sync/worker');
    expect(graph.files.get('apps/worker/src/main.ts')?.imports.length).toBeGreaterThan(5);
    expect(graph.files.has('packages/sync/src/types.ts')).toBe(true);
  });

  it.each(IMPORT_RULES.map((rule) => [rule.id, rule] as const))('%s', (_id, rule) => {
    expect(rule.check(graph)).toEqual([]);
  });
});

/** A throwaway monorepo with one planted break per rule. */
const BROKEN: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'fixture', devDependencies: { jest: '*' } }),
  'apps/a/package.json': JSON.stringify({
    name: '@kombo-sync/a',
    exports: { './testing': './src/testing/index.ts' },
    dependencies: { '@kombo-sync/db': '*', '@kombo-sync/tracing': '*', pg: '*' },
  }),
  'apps/a/src/testing/index.ts': `export const helper = 1;\n`,
  // An app importing another app, by name and by path; a cycle with b; tracing started outside main.ts.
  'apps/a/src/main.ts': [
    `import { b } from '@kombo-sync/b/testing';`,
    `import { other } from '../../b/src/other.js';`,
    `import { startTracing } from '@kombo-sync/tracing';`,
    `export const a = [b, other, startTracing];`,
  ].join('\n'),
  'apps/a/src/run.ts': `import { a } from './main.js';\nexport const run = a;\n`,
  'apps/a/src/cycle.ts': `import { back } from './cycle-back.js';\nexport const cycle = back;\n`,
  'apps/a/src/cycle-back.ts': `import { cycle } from './cycle.js';\nexport const back = () => cycle;\n`,
  'apps/b/package.json': JSON.stringify({
    name: '@kombo-sync/b',
    exports: { './testing': './src/testing/index.ts' },
  }),
  'apps/b/src/testing/index.ts': `export const b = 1;\n`,
  'apps/b/src/other.ts': `export const other = 1;\ninterface Twice { x: number }\nexport const twice: Twice = { x: 1 };\n`,
  // The ingress and the sandbox knowing what they must not.
  'apps/ingress/package.json': JSON.stringify({
    name: '@kombo-sync/ingress',
    dependencies: { 'drizzle-orm': '*' },
  }),
  'apps/ingress/src/main.ts': `import { sql } from 'drizzle-orm';\nexport const q = sql;\n`,
  'apps/sandbox/package.json': JSON.stringify({
    name: '@kombo-sync/sandbox',
    dependencies: { '@kombo-sync/db': '*' },
  }),
  'apps/sandbox/src/main.ts': `import { db } from '@kombo-sync/db';\nexport const s = db;\n`,
  'packages/db/package.json': JSON.stringify({
    name: '@kombo-sync/db',
    exports: { '.': './src/index.ts' },
    dependencies: { express: '*', '@kombo-sync/sync': '*', '@kombo-sync/a': '*' },
  }),
  // A package importing an app; db knowing HTTP and importing the engine at run time; production code importing
  // test helpers; a type defined twice; an undeclared dependency.
  'packages/db/src/index.ts': [
    `import express from 'express';`,
    `import { engine } from '@kombo-sync/sync';`,
    `import { helper } from '@kombo-sync/a/testing';`,
    `import { fixture } from './testing/fixture.js';`,
    `import { Pool } from 'pg';`,
    `export interface Twice { y: string }`,
    `export const db = [express, engine, helper, fixture, Pool];`,
  ].join('\n'),
  'packages/db/src/testing/fixture.ts': `export const fixture = 1;\n`,
  'packages/sync/package.json': JSON.stringify({
    name: '@kombo-sync/sync',
    exports: { '.': './src/index.ts', './testing': './src/testing/index.ts' },
    dependencies: { 'node-fetch': '*' },
  }),
  'packages/sync/src/index.ts': `import fetch from 'node-fetch';\nexport const engine = fetch;\n`,
  'packages/sync/src/testing/index.ts': `export const fake = 1;\n`,
  'packages/kombo/package.json': JSON.stringify({ name: '@kombo-sync/kombo', dependencies: { bullmq: '*' } }),
  'packages/kombo/src/index.ts': `import { Queue } from 'bullmq';\nexport const k = Queue;\n`,
  'packages/queue/package.json': JSON.stringify({ name: '@kombo-sync/queue', dependencies: { pg: '*' } }),
  'packages/queue/src/index.ts': `import pg from 'pg';\nexport const q = pg;\n`,
  'packages/catalog/package.json': JSON.stringify({
    name: '@kombo-sync/catalog',
    dependencies: { zod: '*' },
  }),
  'packages/catalog/src/index.ts': `import { z } from 'zod';\nexport const c = z;\n`,
  'packages/tracing/package.json': JSON.stringify({
    name: '@kombo-sync/tracing',
    exports: { '.': './src/index.ts' },
  }),
  'packages/tracing/src/index.ts': `export const startTracing = 1;\n`,
  'packages/logger/package.json': JSON.stringify({
    name: '@kombo-sync/logger',
    dependencies: { '@opentelemetry/sdk-trace-node': '*' },
  }),
  'packages/logger/src/index.ts': `import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';\nexport const l = NodeTracerProvider;\n`,
  // A test reaching into an app's src/ and importing a non-entry of a package.
  'test/cross.test.ts': [
    `import { other } from '../apps/b/src/other.js';`,
    `import { x } from '@kombo-sync/sync/src/index.js';`,
    `export const t = [other, x];`,
  ].join('\n'),
};

describe('each import rule reports a break of it', () => {
  let fixture: string;
  let graph: ImportGraph;
  beforeAll(() => {
    fixture = mkdtempSync(path.join(tmpdir(), 'import-rules-'));
    for (const [file, text] of Object.entries(BROKEN)) {
      mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
      writeFileSync(path.join(fixture, file), text);
    }
    graph = loadImportGraph(fixture);
  });
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  const expected: Record<string, RegExp> = {
    'no-cycles': /cycle: apps\/a\/src\/cycle-back\.ts -> apps\/a\/src\/cycle\.ts/,
    'apps-import-no-app': /apps\/a\/src\/main\.ts:2: imports the app apps\/b/,
    'packages-import-no-app': /packages\/db\/src\/index\.ts:3: imports an app/,
    'apps-through-testing': /test\/cross\.test\.ts:1: reaches apps\/b by \.\.\/apps\/b\/src\/other\.js/,
    'relative-stays-home': /apps\/a\/src\/main\.ts:2: \.\.\/\.\.\/b\/src\/other\.js reaches into apps\/b/,
    'entries-only': /packages\/db\/src\/index\.ts:4: production code imports test helpers/,
    'sync-imports-no-io': /packages\/sync\/src\/index\.ts:1: imports node-fetch/,
    'kombo-knows-no-postgres-or-queues': /packages\/kombo\/src\/index\.ts:1: imports bullmq/,
    'db-knows-no-http-or-kombo': /packages\/db\/src\/index\.ts:2: imports packages\/sync at run time/,
    'queue-knows-no-postgres': /packages\/queue\/src\/index\.ts:1: imports pg/,
    'ingress-knows-no-postgres': /apps\/ingress\/src\/main\.ts:1: imports drizzle-orm/,
    'catalog-imports-nothing': /packages\/catalog\/src\/index\.ts:1: imports zod/,
    'sandbox-knows-no-fleet': /apps\/sandbox\/src\/main\.ts:1: imports @kombo-sync\/db/,
    'otel-sdk-only-in-tracing': /packages\/logger\/src\/index\.ts:1: imports the OpenTelemetry SDK/,
    'dependencies-declared': /packages\/db\/src\/index\.ts:5: pg is not declared/,
    'type-names-defined-once': /Twice is defined in apps\/b\/src\/other\.ts, packages\/db\/src\/index\.ts/,
  };

  it('covers every rule', () => {
    expect(Object.keys(expected).sort()).toEqual(IMPORT_RULES.map((rule) => rule.id).sort());
  });

  it.each(IMPORT_RULES.map((rule) => [rule.id, rule] as const))('%s', (id, rule) => {
    const violations = rule.check(graph);
    expect(violations.some((violation) => expected[id]!.test(violation))).toBe(true);
  });
});
