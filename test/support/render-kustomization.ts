// Test support (not production code): renders a kustomization the way `kustomize build` does, for the subset of
// kustomize deploy/kubernetes uses: `resources` (files and folders with a kustomization), `components`, `namespace`,
// `labels`, `images`, and `patches` of a ConfigMap's or Secret's data (merged key by key, as a strategic merge patch
// does for them). Any other field, or a patch of anything else, fails the render, so a manifest change the tests
// cannot follow is noticed.
// Where kubectl is installed the tests also compare this render with `kubectl kustomize`.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A Kubernetes object as YAML gives it. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
} & Record<string, unknown>;

interface Kustomization {
  apiVersion?: string;
  kind?: 'Kustomization' | 'Component';
  resources?: string[];
  components?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
  patches?: { path: string }[];
}

const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'resources',
  'components',
  'namespace',
  'labels',
  'images',
  'patches',
]);
/** The maps of string values a patch may merge into, per kind. */
const PATCHABLE: Record<string, readonly string[]> = { ConfigMap: ['data'], Secret: ['data', 'stringData'] };

/** Applies `patches` (files relative to `dir`) to the objects they name: their data maps merged key by key. */
function applyPatches(manifests: Manifest[], dir: string, k: Kustomization): Manifest[] {
  for (const { path: file, ...rest } of k.patches ?? []) {
    if (Object.keys(rest).length > 0) throw new Error(`${dir}: only patches by path are supported`);
    for (const patch of readManifests(path.resolve(dir, file))) {
      const maps = PATCHABLE[patch.kind];
      const { apiVersion: _a, kind: _k, metadata: _m, ...fields } = patch;
      const unsupported = Object.keys(fields).filter((field) => !maps?.includes(field));
      if (!maps || unsupported.length > 0)
        throw new Error(`${file}: only ConfigMap and Secret data patches are supported by the test renderer`);
      const target = manifests.find((m) => m.kind === patch.kind && m.metadata.name === patch.metadata.name);
      if (!target) throw new Error(`${file}: no ${patch.kind} ${patch.metadata.name} to patch`);
      for (const field of maps)
        if (patch[field] !== undefined)
          target[field] = { ...(target[field] as object | undefined), ...(patch[field] as object) };
    }
  }
  return manifests;
}

/** Parses every document of a YAML file (empty documents skipped). */
export function readManifests(file: string): Manifest[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS() as Manifest | null;
    })
    .filter((doc): doc is Manifest => doc !== null);
}

function readKustomization(dir: string): Kustomization {
  const file = ['kustomization.yaml', 'kustomization.yml', 'Kustomization']
    .map((name) => path.join(dir, name))
    .find(existsSync);
  if (!file) throw new Error(`${dir} has no kustomization.yaml`);
  const [kustomization] = readManifests(file) as unknown as Kustomization[];
  const unsupported = Object.keys(kustomization!).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0)
    throw new Error(`${file}: ${unsupported.join(', ')} not supported by the test renderer`);
  return kustomization!;
}

/** The pod spec of a workload (Deployment, Job, …), if it has one. */
export function podSpecOf(
  manifest: Manifest,
): { containers?: { image?: string }[]; initContainers?: { image?: string }[] } | undefined {
  const spec = manifest['spec'] as { template?: { spec?: unknown } } | undefined;
  return spec?.template?.spec as ReturnType<typeof podSpecOf>;
}

function imageName(image: string): string {
  const at = image.indexOf('@');
  const withoutDigest = at === -1 ? image : image.slice(0, at);
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

function applyTransformers(manifests: Manifest[], k: Kustomization): Manifest[] {
  for (const manifest of manifests) {
    if (k.namespace) manifest.metadata.namespace = k.namespace;
    for (const { pairs, includeSelectors, includeTemplates } of k.labels ?? []) {
      if (includeSelectors) throw new Error('labels.includeSelectors is not supported by the test renderer');
      manifest.metadata.labels = { ...manifest.metadata.labels, ...pairs };
      const template = (
        manifest['spec'] as { template?: { metadata?: { labels?: Record<string, string> } } } | undefined
      )?.template;
      if (includeTemplates && template)
        template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, ...pairs } };
    }
    const pod = podSpecOf(manifest);
    for (const container of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) {
      const image = k.images?.find(
        (entry) => container.image !== undefined && imageName(container.image) === entry.name,
      );
      if (!image || container.image === undefined) continue;
      const name = image.newName ?? image.name;
      const rest = container.image.slice(imageName(container.image).length);
      container.image = image.digest
        ? `${name}@${image.digest}`
        : image.newTag
          ? `${name}:${image.newTag}`
          : `${name}${rest}`;
    }
  }
  return manifests;
}

/**
 * Renders the kustomization (or component) in `dir` into its objects. A component's patches apply to what its parent
 * holds, so its own render (`isPatched` false) leaves them out.
 */
export function renderKustomization(dir: string, { isPatched = true } = {}): Manifest[] {
  const k = readKustomization(dir);
  const manifests: Manifest[] = [];
  for (const resource of k.resources ?? []) {
    const target = path.resolve(dir, resource);
    manifests.push(...(statSync(target).isDirectory() ? renderKustomization(target) : readManifests(target)));
  }
  let rendered = manifests;
  for (const component of k.components ?? []) {
    const componentDir = path.resolve(dir, component);
    const ck = readKustomization(componentDir);
    if (ck.kind !== 'Component') throw new Error(`${componentDir} is not a Component`);
    rendered = applyTransformers(
      applyPatches(
        [...rendered, ...renderKustomization(componentDir, { isPatched: false })],
        componentDir,
        ck,
      ),
      { ...ck, resources: [] },
    );
  }
  return applyTransformers(isPatched ? applyPatches(rendered, dir, k) : rendered, k);
}
