// docker-compose.yml runs every app from the image it builds: no bind mount, no install at start, the migrations a
// one-shot service the apps wait for, and only variables the apps read. Compose itself needs a Docker engine, so
// the file's structure is checked here; `npm run test:image` runs the image's commands for real.
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as config from '@kombo-sync/config';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, environmentVariables } from './support/config-variables.js';
import { BUNDLES } from '../scripts/build.mjs';
import { HEALTH_PROBES, IMAGE_COMMANDS } from '../scripts/image-files.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');

interface Service {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  restart?: string;
  stop_grace_period?: string;
}
const readCompose = (file: string) =>
  parse(readFileSync(path.join(ROOT, file), 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
  };

const compose = readCompose('docker-compose.yml');
const ours = Object.entries(compose.services).filter(([, service]) => service.build !== undefined);
const APPS = ['ingress', 'worker', 'dashboard', 'sandbox'];

/** Variables the apps read: packages/config's schemas, and the sandbox's own (it reads SANDBOX_* directly). */
const VARIABLES = new Set([
  ...CONFIG_VARIABLES,
  ...[
    ...readFileSync(path.join(ROOT, 'apps/sandbox/src/main.ts'), 'utf8').matchAll(/env\.(SANDBOX_[A-Z_]+)/g),
  ].map((m) => m[1]!),
]);

describe('docker-compose.yml', () => {
  it('builds one image and runs migrate, the sandbox and every app from it, with nothing mounted or installed', () => {
    expect(ours.map(([name]) => name).sort()).toEqual([
      'dashboard',
      'ingress',
      'migrate',
      'sandbox',
      'worker',
    ]);
    for (const [name, service] of ours) {
      expect({ name, image: service.image, build: service.build, volumes: service.volumes }).toEqual({
        name,
        image: 'kombo-sync:local',
        build: '.',
        volumes: undefined,
      });
      expect(Object.keys(IMAGE_COMMANDS)).toContain(service.command?.[0]);
      expect(JSON.stringify(service.command)).not.toMatch(/npm|npx|tsx/);
    }
    for (const app of ['ingress', 'worker', 'dashboard'])
      expect(compose.services[app]!.command).toEqual([app]);
  });

  it('runs the migrations once, after Postgres is healthy, and starts the apps only after they succeeded', () => {
    const migrate = compose.services['migrate']!;
    expect(migrate.command).toEqual(['migrate']);
    expect(migrate.restart).toBe('no');
    expect(migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const app of APPS) {
      expect(compose.services[app]!.depends_on?.['migrate']).toEqual({
        condition: 'service_completed_successfully',
      });
    }
  });

  it('sets only variables the apps read, and publishes the ports they listen on by default', () => {
    for (const [name, service] of ours) {
      const unknown = Object.keys(service.environment ?? {}).filter((variable) => !VARIABLES.has(variable));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
    for (const [app, probe] of Object.entries(HEALTH_PROBES)) {
      if (app === 'worker') continue;
      expect(compose.services[app]!.ports).toEqual([`${probe.defaultPort}:${probe.defaultPort}`]);
    }
  });

  it('shows a second Kombo environment in comments: once uncommented, variables the apps read, and all it needs', () => {
    const text = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
    const example = Object.fromEntries(
      [...text.matchAll(/^ {4}# (KOMBO_[A-Z0-9_]+): (.+)$/gm)].map((m) => [m[1]!, m[2]!]),
    );
    const names = config.environmentNamesVar().parse(example['KOMBO_ENVIRONMENTS']);
    expect(names).toEqual(['us']);
    const allowed = new Set([...CONFIG_VARIABLES, ...environmentVariables(names)]);
    expect(Object.keys(example).filter((name) => !allowed.has(name))).toEqual([]);
    for (const suffix of ['API_URL', 'API_KEY', 'WEBHOOK_SECRETS'])
      expect(Object.keys(example)).toContain(config.environmentVariable('us', suffix));
    // Uncommented, the file still parses, with the example in every app's environment.
    const uncommented = parse(text.replace(/^( {4})# (KOMBO_[A-Z0-9_]+: )/gm, '$1$2'), { merge: true }) as {
      services: Record<string, Service>;
    };
    expect(uncommented.services['worker']!.environment?.['KOMBO_ENVIRONMENTS']).toBe('us');
    expect(uncommented.services['ingress']!.environment?.['KOMBO_US_WEBHOOK_SECRETS']).toBe(
      '${KOMBO_US_WEBHOOK_SECRETS}',
    );
  });

  it('gives a worker longer than WORKER_SHUTDOWN_TIMEOUT_MS to stop', () => {
    const graceMs = Number(/^(\d+)s$/.exec(compose.services['worker']!.stop_grace_period ?? '')?.[1]) * 1000;
    expect(graceMs).toBeGreaterThan(config.defaultsOf(config.syncSettings).shutdownTimeoutMs);
  });
});

describe('docker-compose.dev.yml', () => {
  it('only mounts the bundles and migrations of this checkout, read-only, over the image', () => {
    const dev = readCompose('docker-compose.dev.yml');
    const allowed = new Set([
      ...Object.values(BUNDLES).map((bundle) => path.dirname(bundle.outfile)),
      'drizzle',
    ]);
    for (const [name, service] of Object.entries(dev.services)) {
      expect(Object.keys(compose.services)).toContain(name);
      for (const volume of service.volumes ?? []) {
        const [source, target, mode] = volume.split(':');
        const relative = path.posix.normalize(source!);
        expect({ volume, allowed: allowed.has(relative), target, mode }).toEqual({
          volume,
          allowed: true,
          target: `/app/${relative}`,
          mode: 'ro',
        });
      }
    }
  });
});
