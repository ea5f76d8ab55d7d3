// Test support (not production code): the import rules of ARCHITECTURE.md ("Packages and apps"), each a check over
// the import graph (test/support/import-graph.ts) that lists its violations as `file:line: what`.
import { findCycles, SCOPE, type Import, type ImportGraph, type SourceFile } from './import-graph.js';

export interface ImportRule {
  /** Stable id, named in ARCHITECTURE.md. */
  readonly id: string;
  /** The rule as ARCHITECTURE.md states it. */
  readonly rule: string;
  check(graph: ImportGraph): string[];
}

const POSTGRES = ['pg', 'drizzle-orm', `${SCOPE}db`];
const QUEUES = ['bullmq', 'ioredis', `${SCOPE}queue`];
const HTTP = ['express', 'got', 'undici', 'node:http', 'node:https', 'http', 'https'];

const at = (file: SourceFile, edge: Import) => `${file.path}:${edge.line}`;
const isApp = (file: SourceFile) => file.workspace?.kind === 'app';
/** Test code: tests, test support, and the bench (never shipped). */
const isTestCode = (file: SourceFile) => file.isTest || file.path.startsWith('bench/');
/** The npm package or builtin an import names, for the "knows nothing of" rules. */
const nameOf = (edge: Import) => edge.packageName ?? (edge.kind === 'builtin' ? edge.specifier : undefined);
/** The workspace directory a file lies in (`apps/worker`), from its repository-relative path. */
const workspaceDirOf = (file: string) => /^(apps|packages)\/[^/]+/.exec(file)?.[0];

function production(graph: ImportGraph, dir?: string): SourceFile[] {
  return [...graph.files.values()].filter(
    (file) => file.workspace && !file.isTest && (dir === undefined || file.workspace.dir === dir),
  );
}

/** Violations of "the production code of `dir` imports none of `names`". */
function forbids(graph: ImportGraph, dir: string, names: readonly string[], why: string): string[] {
  return production(graph, dir).flatMap((file) =>
    file.imports.flatMap((edge) => {
      const name = nameOf(edge);
      return name !== undefined && names.includes(name)
        ? [`${at(file, edge)}: imports ${name} (${why})`]
        : [];
    }),
  );
}

/** The workspace an import lands in: by its package name, or by the file a relative import resolves to. */
function targetDir(graph: ImportGraph, edge: Import): string | undefined {
  if (edge.kind === 'workspace') {
    return [...graph.workspaces.values()].find((workspace) => workspace.name === edge.packageName)?.dir;
  }
  return edge.target === undefined ? undefined : workspaceDirOf(edge.target);
}

export const IMPORT_RULES: readonly ImportRule[] = [
  {
    id: 'no-cycles',
    rule: 'no import cycles (among files, over run-time imports)',
    check: (graph) => findCycles(graph).map((cycle) => `cycle: ${cycle.join(' -> ')}`),
  },
  {
    id: 'apps-import-no-app',
    rule: 'an app never imports another app (its production code; test code: only `./testing`, below)',
    check: (graph) =>
      production(graph).flatMap((file) =>
        !isApp(file)
          ? []
          : file.imports.flatMap((edge) => {
              const dir = targetDir(graph, edge);
              return dir?.startsWith('apps/') && dir !== file.workspace?.dir
                ? [`${at(file, edge)}: imports the app ${dir}`]
                : [];
            }),
      ),
  },
  {
    id: 'packages-import-no-app',
    rule: 'packages never import apps (tests included)',
    check: (graph) =>
      [...graph.files.values()].flatMap((file) =>
        file.workspace?.kind !== 'package'
          ? []
          : file.imports.flatMap((edge) =>
              targetDir(graph, edge)?.startsWith('apps/') ? [`${at(file, edge)}: imports an app`] : [],
            ),
      ),
  },
  {
    id: 'apps-through-testing',
    rule: 'test code reaches an app only through its `./testing` entry (`@kombo-sync/<app>/testing`)',
    check: (graph) =>
      [...graph.files.values()].flatMap((file) =>
        file.imports.flatMap((edge) => {
          const dir = targetDir(graph, edge);
          if (!dir?.startsWith('apps/') || dir === file.workspace?.dir) return [];
          const isTestingEntry = edge.kind === 'workspace' && edge.subpath === './testing';
          return isTestingEntry && isTestCode(file)
            ? []
            : [
                `${at(file, edge)}: reaches ${dir} by ${edge.specifier}, not from test code through ./testing`,
              ];
        }),
      ),
  },
  {
    id: 'relative-stays-home',
    rule: 'a relative import never leaves its workspace, and nothing outside one imports its `src/` by path',
    check: (graph) =>
      [...graph.files.values()].flatMap((file) =>
        file.imports.flatMap((edge) => {
          if (edge.kind !== 'relative' || edge.target === undefined) return [];
          const from = workspaceDirOf(file.path);
          const to = workspaceDirOf(edge.target);
          return to !== undefined && to !== from
            ? [`${at(file, edge)}: ${edge.specifier} reaches into ${to}`]
            : [];
        }),
      ),
  },
  {
    id: 'entries-only',
    rule:
      'a workspace is imported by an entry of its package.json `exports` only; `./testing` and `src/testing/` only ' +
      'by test code',
    check: (graph) =>
      [...graph.files.values()].flatMap((file) =>
        file.imports.flatMap((edge) => {
          const problems: string[] = [];
          if (edge.kind === 'workspace' && edge.target === undefined)
            problems.push(`${at(file, edge)}: ${edge.specifier} is no entry of its package.json exports`);
          const isTesting =
            (edge.kind === 'workspace' && edge.subpath === './testing') ||
            (edge.target?.includes('/src/testing/') === true && !file.path.includes('/src/testing/'));
          if (isTesting && !isTestCode(file))
            problems.push(`${at(file, edge)}: production code imports test helpers (${edge.specifier})`);
          return problems;
        }),
      ),
  },
  {
    id: 'sync-imports-no-io',
    rule: '`packages/sync` imports no I/O library: only `packages/catalog` and `@opentelemetry/api`',
    check: (graph) =>
      production(graph, 'packages/sync').flatMap((file) =>
        file.imports.flatMap((edge) =>
          edge.kind === 'relative' ||
          ['@kombo-sync/catalog', '@opentelemetry/api'].includes(edge.packageName ?? '')
            ? []
            : [`${at(file, edge)}: imports ${edge.specifier}`],
        ),
      ),
  },
  {
    id: 'kombo-knows-no-postgres-or-queues',
    rule: '`packages/kombo` knows nothing of Postgres, queues or Redis',
    check: (graph) => forbids(graph, 'packages/kombo', [...POSTGRES, ...QUEUES], 'Postgres or queues'),
  },
  {
    id: 'db-knows-no-http-or-kombo',
    rule:
      "`packages/db` knows nothing of HTTP, queues or Kombo's client, and takes the engine's types from " +
      '`packages/sync` (types only)',
    check: (graph) => [
      ...forbids(
        graph,
        'packages/db',
        [...HTTP, ...QUEUES, `${SCOPE}kombo`],
        'HTTP, queues or the Kombo client',
      ),
      ...production(graph, 'packages/db').flatMap((file) =>
        file.imports.flatMap((edge) =>
          edge.packageName === `${SCOPE}sync` && !edge.isTypeOnly
            ? [`${at(file, edge)}: imports packages/sync at run time (types only)`]
            : [],
        ),
      ),
    ],
  },
  {
    id: 'queue-knows-no-postgres',
    rule: '`packages/queue` knows nothing of Postgres',
    check: (graph) => forbids(graph, 'packages/queue', POSTGRES, 'Postgres'),
  },
  {
    id: 'ingress-knows-no-postgres',
    rule: '`apps/ingress` knows nothing of Postgres',
    check: (graph) => forbids(graph, 'apps/ingress', POSTGRES, 'Postgres'),
  },
  {
    id: 'catalog-imports-nothing',
    rule: '`packages/catalog` imports no other package',
    check: (graph) =>
      production(graph, 'packages/catalog').flatMap((file) =>
        file.imports.flatMap((edge) =>
          edge.kind === 'relative' ? [] : [`${at(file, edge)}: imports ${edge.specifier}`],
        ),
      ),
  },
  {
    id: 'sandbox-knows-no-fleet',
    rule: "`apps/sandbox` knows nothing of the fleet's internals: of our packages only catalog, kombo and logger",
    check: (graph) =>
      production(graph, 'apps/sandbox').flatMap((file) =>
        file.imports.flatMap((edge) =>
          edge.kind === 'workspace' &&
          ![`${SCOPE}catalog`, `${SCOPE}kombo`, `${SCOPE}logger`].includes(edge.packageName ?? '')
            ? [`${at(file, edge)}: imports ${edge.specifier}`]
            : [],
        ),
      ),
  },
  {
    id: 'otel-sdk-only-in-tracing',
    rule:
      'only `packages/tracing` loads the OpenTelemetry SDK (everything else uses `@opentelemetry/api`), and only ' +
      "the apps' `main.ts` start it",
    check: (graph) =>
      [...graph.files.values()].flatMap((file) =>
        isTestCode(file)
          ? []
          : file.imports.flatMap((edge) => {
              const name = edge.packageName ?? '';
              const isSdk = name.startsWith('@opentelemetry/') && name !== '@opentelemetry/api';
              if (isSdk && file.workspace?.dir !== 'packages/tracing')
                return [`${at(file, edge)}: imports the OpenTelemetry SDK (${name})`];
              if (name === `${SCOPE}tracing` && !/^apps\/[^/]+\/src\/main\.ts$/.test(file.path))
                return [`${at(file, edge)}: starts tracing outside an app's main.ts`];
              return [];
            }),
      ),
  },
  {
    id: 'dependencies-declared',
    rule:
      'every package a workspace imports is declared in its package.json: `dependencies` for its production code, ' +
      "`devDependencies` (its own or the root's) for its tests",
    check: (graph) =>
      [...graph.files.values()].flatMap((file) => {
        const workspace = file.workspace;
        if (!workspace) return [];
        return file.imports.flatMap((edge) => {
          const name = edge.packageName;
          if (name === undefined || name === workspace.name || workspace.dependencies.has(name)) return [];
          const isDeclaredForTests =
            workspace.devDependencies.has(name) ||
            (graph.rootDevDependencies.has(name) && !name.startsWith(SCOPE));
          if (file.isTest && isDeclaredForTests) return [];
          return [`${at(file, edge)}: ${name} is not declared in ${workspace.dir}/package.json`];
        });
      }),
  },
  {
    id: 'type-names-defined-once',
    rule: 'no type name (interface, type, class, enum; exported or not) is defined twice in packages/ and apps/',
    check: (graph) => {
      const definedIn = new Map<string, string[]>();
      for (const file of graph.files.values()) {
        if (!file.workspace) continue;
        for (const name of file.typeNames) definedIn.set(name, [...(definedIn.get(name) ?? []), file.path]);
      }
      return [...definedIn]
        .filter(([, files]) => files.length > 1)
        .map(([name, files]) => `${name} is defined in ${files.join(', ')}`);
    },
  },
];
