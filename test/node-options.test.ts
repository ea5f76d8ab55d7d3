import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import { entrypointScript, IMAGE_COMMANDS } from '../scripts/image-files.mjs';
import { INGRESS_NODE_FLAGS, WORKER_NODE_FLAGS } from '../scripts/node-options.mjs';

/** The argv the image's entrypoint execs for `IMAGE <app>`, as its generated script says. */
function imageArgvOf(app: string): string[] {
  const line = entrypointScript()
    .split('\n')
    .find((l) => l.trimStart().startsWith(`${app}) exec `));
  return [...(line ?? '').matchAll(/'([^']*)'/g)].map((m) => m[1]!);
}

describe('production V8 settings', () => {
  it('the image (and so docker-compose.yml and Kubernetes) runs the worker and the ingress with the flags npm start and the benchmarks use', () => {
    expect(IMAGE_COMMANDS['worker']?.nodeFlags).toBe(WORKER_NODE_FLAGS);
    expect(imageArgvOf('worker')).toEqual(['node', ...WORKER_NODE_FLAGS, '/app/apps/worker/dist/main.mjs']);
    expect(imageArgvOf('ingress')).toEqual([
      'node',
      ...INGRESS_NODE_FLAGS,
      '/app/apps/ingress/dist/main.mjs',
    ]);
    expect(imageArgvOf('dashboard')).toEqual(['node', '/app/apps/dashboard/dist/main.mjs']);
  });

  it('the flags are accepted by this node (a typo would stop every worker at start)', () => {
    const result = spawnSync(process.execPath, [...WORKER_NODE_FLAGS, ...INGRESS_NODE_FLAGS, '-e', '0']);
    expect(result.stderr.toString()).toBe('');
    expect(result.status).toBe(0);
  });
});
