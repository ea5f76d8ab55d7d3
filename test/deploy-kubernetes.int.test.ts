// deploy/kubernetes, offline: each kustomization renders (as `kustomize build` would; compared with `kubectl
// kustomize` where kubectl is installed), every object validates against the Kubernetes schemas (kubernetes-models,
// KEDA's for the ScaledObject), every variable the manifests set is one the apps read, every probe path is served
// by its app, and the rollout settings hold what the workers' shutdown needs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import * as config from '@kombo-sync/config';
import { startHarness as startDashboard, type DashboardHarness } from '@kombo-sync/dashboard/testing';
import { startHarness as startIngress, type IngressHarness } from '@kombo-sync/ingress/testing';
import { createMetrics } from '@kombo-sync/metrics';
import { createWorkerHttpServer } from '@kombo-sync/worker/testing';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { parseAllDocuments } from 'yaml';
import { CONFIG_VARIABLES, environmentVariables } from './support/config-variables.js';
import { IMAGE_COMMANDS } from '../scripts/image-files.mjs';
import { readManifests, renderKustomization, type Manifest } from './support/render-kustomization.js';

const DEPLOY = path.resolve(import.meta.dirname, '..', 'deploy', 'kubernetes');
const KUSTOMIZATIONS = ['base', 'overlays/example', 'overlays/two-environments'];

/** The schema of each kind the manifests use; a new kind needs its model here. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'keda.sh/v1alpha1/ScaledObject': ScaledObject,
};

interface Container {
  name: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
  tcpSocket?: { port: string | number };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
}

const podOf = (manifest: Manifest) =>
  (manifest['spec'] as { template: { spec: PodSpec; metadata: { labels: Record<string, string> } } })
    .template;
const byKind = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const named = (manifests: Manifest[], kind: string, name: string) =>
  manifests.find((m) => m.kind === kind && m.metadata.name === name);
const base = renderKustomization(path.join(DEPLOY, 'base'));
const deploymentOf = (app: string) => named(base, 'Deployment', `kombo-sync-${app}`)!;

describe.each(KUSTOMIZATIONS)('deploy/kubernetes/%s', (dir) => {
  const manifests = renderKustomization(path.join(DEPLOY, dir));

  it('validates against the Kubernetes schemas', () => {
    expect(manifests.length).toBeGreaterThan(0);
    for (const manifest of manifests) {
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      expect({ kind: `${manifest.apiVersion}/${manifest.kind}`, hasModel: Model !== undefined }).toEqual({
        kind: `${manifest.apiVersion}/${manifest.kind}`,
        hasModel: true,
      });
      expect(() => new Model!(manifest as never).validate()).not.toThrow();
    }
  });

  const kubectl = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
  (kubectl ? it : it.skip)('renders as kubectl kustomize does (where kubectl is installed)', () => {
    const result = spawnSync(kubectl, ['kustomize', path.join(DEPLOY, dir)], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).toBe('');
    const theirs = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as Manifest);
    const key = (m: Manifest) => `${m.kind}/${m.metadata.name}`;
    const sorted = (list: Manifest[]) => [...list].sort((a, b) => key(a).localeCompare(key(b)));
    expect(sorted(manifests)).toEqual(sorted(theirs));
  });
});

/** The named environments a rendering's ConfigMap lists (KOMBO_ENVIRONMENTS). */
const environmentsOf = (manifests: Manifest[]): string[] =>
  config
    .environmentNamesVar()
    .parse(
      (named(manifests, 'ConfigMap', 'kombo-sync')?.['data'] as Record<string, string>)['KOMBO_ENVIRONMENTS'],
    );

describe('a second Kombo environment (components/us-environment)', () => {
  const two = renderKustomization(path.join(DEPLOY, 'overlays/two-environments'));
  const [secret] = readManifests(path.join(DEPLOY, 'base', 'secret.example.yaml'));
  const secretKeys = Object.keys(secret!['stringData'] as Record<string, string>);

  it('names the environment in the ConfigMap with variables the apps then read; base names none', () => {
    expect(environmentsOf(base)).toEqual([]);
    expect(environmentsOf(two)).toEqual(['us']);
    const data = named(two, 'ConfigMap', 'kombo-sync')!['data'] as Record<string, string>;
    const allowed = new Set([...CONFIG_VARIABLES, ...environmentVariables(['us'])]);
    expect(Object.keys(data).filter((name) => !allowed.has(name))).toEqual([]);
    expect(data['KOMBO_US_API_URL']).toBe('https://api.us.kombo.dev/v1');
    // The rest of the ConfigMap is the base's.
    const baseData = named(base, 'ConfigMap', 'kombo-sync')!['data'] as Record<string, string>;
    expect(data).toMatchObject(baseData);
  });

  it("has the environment's required secrets as example keys of the Secret, and only the apps' variables", () => {
    for (const name of environmentsOf(two))
      for (const suffix of ['API_KEY', 'WEBHOOK_SECRETS'])
        expect(secretKeys).toContain(config.environmentVariable(name, suffix));
    const allowed = new Set([...CONFIG_VARIABLES, ...environmentVariables(environmentsOf(two))]);
    expect(secretKeys.filter((name) => !allowed.has(name))).toEqual([]);
  });
});

describe('the manifests', () => {
  it('set only variables the apps read, from the ConfigMap and the Secret they name', () => {
    const configMap = named(base, 'ConfigMap', 'kombo-sync')!;
    const [secret] = readManifests(path.join(DEPLOY, 'base', 'secret.example.yaml'));
    expect(() => new Secret(secret as never).validate()).not.toThrow();
    const set = [
      ...Object.keys(configMap['data'] as Record<string, string>),
      // The example's keys of a named environment are checked with the component that names it (above).
      ...Object.keys(secret!['stringData'] as Record<string, string>).filter(
        (name) => !environmentVariables(['us']).has(name),
      ),
      ...[...byKind(base, 'Deployment'), ...byKind(base, 'Job')].flatMap((workload) => {
        const pod = podOf(workload).spec;
        return [...pod.containers, ...(pod.initContainers ?? [])].flatMap((c) =>
          (c.env ?? []).map((e) => e.name),
        );
      }),
    ];
    expect(set.filter((name) => !CONFIG_VARIABLES.has(name))).toEqual([]);
    for (const workload of [...byKind(base, 'Deployment'), ...byKind(base, 'Job')]) {
      const pod = podOf(workload).spec;
      for (const container of [...pod.containers, ...(pod.initContainers ?? [])]) {
        for (const from of container.envFrom ?? []) {
          if (from.configMapRef) expect(from.configMapRef.name).toBe(configMap.metadata.name);
          if (from.secretRef) expect(from.secretRef.name).toBe(secret!.metadata.name);
        }
      }
    }
  });

  it('run image commands: the migration Job, and each app held back by migrate --wait where it uses Postgres', () => {
    const job = named(base, 'Job', 'kombo-sync-migrate')!;
    expect(podOf(job).spec.containers.map((c) => c.args)).toEqual([['migrate']]);
    for (const app of ['ingress', 'worker', 'dashboard']) {
      const pod = podOf(deploymentOf(app)).spec;
      expect(pod.containers.map((c) => c.args)).toEqual([[app]]);
      expect((pod.initContainers ?? []).map((c) => c.args)).toEqual(
        app === 'ingress' ? [] : [['migrate', '--wait']],
      );
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])])
        expect(Object.keys(IMAGE_COMMANDS)).toContain(c.args![0]);
    }
  });

  it('give every app probes, resources, a PodDisruptionBudget, and rolling updates that keep capacity', () => {
    for (const app of ['ingress', 'worker', 'dashboard']) {
      const deployment = deploymentOf(app);
      const [container] = podOf(deployment).spec.containers;
      expect(container!.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(container!.livenessProbe).toBeDefined();
      expect(container!.resources?.requests).toMatchObject({
        cpu: expect.any(String),
        memory: expect.any(String),
      });
      expect(container!.resources?.limits).toMatchObject({ memory: expect.any(String) });
      expect(deployment['spec']).toMatchObject({
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0 } },
      });
      const labels = podOf(deployment).metadata.labels;
      const selects = (m: Manifest) =>
        Object.entries(
          (m['spec'] as { selector: { matchLabels?: Record<string, string> } & Record<string, string> })
            .selector.matchLabels ?? (m['spec'] as { selector: Record<string, string> }).selector,
        ).every(([k, v]) => labels[k] === v);
      expect(byKind(base, 'PodDisruptionBudget').filter(selects)).toHaveLength(1);
      if (app !== 'worker') expect(byKind(base, 'Service').filter(selects)).toHaveLength(1);
    }
  });

  it('give a worker longer than WORKER_SHUTDOWN_TIMEOUT_MS to stop before Kubernetes kills it', () => {
    const data = named(base, 'ConfigMap', 'kombo-sync')!['data'] as Record<string, string>;
    const timeoutMs = config.syncSettings.shutdownTimeoutMs.schema.parse(data['WORKER_SHUTDOWN_TIMEOUT_MS']);
    const grace = podOf(deploymentOf('worker')).spec.terminationGracePeriodSeconds!;
    expect(grace * 1000).toBeGreaterThan(timeoutMs);
  });

  it('scale workers with KEDA on metrics the workers export', () => {
    const overlay = renderKustomization(path.join(DEPLOY, 'overlays', 'example'));
    const [scaled] = byKind(overlay, 'ScaledObject');
    const spec = scaled!['spec'] as {
      scaleTargetRef: { name: string };
      triggers: { type: string; metadata: { query: string } }[];
    };
    expect(named(overlay, 'Deployment', spec.scaleTargetRef.name)).toBeDefined();
    const exported = new Set(
      createMetrics({ service: 'worker' })
        .registry.getMetricsAsArray()
        .map((metric) => metric.name),
    );
    for (const trigger of spec.triggers) {
      expect(trigger.type).toBe('prometheus');
      const names = [...trigger.metadata.query.matchAll(/\b(kombo_sync_[a-z_]+)\{/g)].map((m) => m[1]!);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(exported).toContain(name);
    }
    expect(spec.triggers.map((t) => t.metadata.query).join(' ')).toMatch(/kombo-sync-bulk/);
  });
});

describe('probe paths', () => {
  let ingress: IngressHarness;
  let dashboard: DashboardHarness;
  beforeAll(async () => {
    ingress = await startIngress();
    dashboard = await startDashboard();
  });
  afterAll(async () => {
    await ingress.close();
    await dashboard.close();
  });

  async function workerUrl(): Promise<{ url: string; close(): Promise<void> }> {
    const server = createWorkerHttpServer({
      serveMetrics: async (_req, res) => void res.status(200).end(''),
      pingRedis: async () => 'PONG',
      pingPostgres: async () => ({}),
      komboKey: 'accepted',
      isStopping: () => false,
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  it('are served by their apps, on the port the app is told to listen on', async () => {
    const worker = await workerUrl();
    const urls: Record<string, string> = {
      ingress: ingress.url,
      dashboard: dashboard.url,
      worker: worker.url,
    };
    const portVariables: Record<string, string> = {
      ingress: 'INGRESS_PORT',
      dashboard: 'DASHBOARD_PORT',
      worker: 'WORKER_METRICS_PORT',
    };
    try {
      for (const app of ['ingress', 'worker', 'dashboard']) {
        const [container] = podOf(deploymentOf(app)).spec.containers;
        const portOf = (port: string | number) =>
          typeof port === 'number' ? port : container!.ports!.find((p) => p.name === port)!.containerPort;
        const told = Number(container!.env!.find((e) => e.name === portVariables[app])!.value);
        for (const probe of [container!.readinessProbe, container!.livenessProbe, container!.startupProbe]) {
          if (!probe) continue;
          const port = probe.httpGet?.port ?? probe.tcpSocket!.port;
          expect({ app, port: portOf(port) }).toEqual({ app, port: told });
          if (probe.httpGet)
            expect({
              app,
              path: probe.httpGet.path,
              status: (await fetch(`${urls[app]}${probe.httpGet.path}`)).status,
            }).toEqual({ app, path: probe.httpGet.path, status: 200 });
        }
      }
    } finally {
      await worker.close();
    }
  });
});
