import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { INGRESS_NODE_FLAGS, WORKER_NODE_FLAGS } from '../scripts/node-options.mjs';

const compose = readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8');

/** The `command:` line of a docker-compose service, as written. */
function commandOf(service: string): string {
  const block = compose.split(/\n {2}(?=[a-z-]+:\n)/).find((part) => part.startsWith(`${service}:`)) ?? '';
  return /\n\s+command: (\[.*\])/.exec(block)?.[1] ?? '';
}

describe('production V8 settings', () => {
  it('docker-compose.yml runs the worker and the ingress with the flags npm start and the benchmarks use', () => {
    expect(JSON.parse(commandOf('worker').replaceAll("'", '"'))).toEqual([
      'node',
      ...WORKER_NODE_FLAGS,
      'apps/worker/dist/main.mjs',
    ]);
    expect(JSON.parse(commandOf('ingress').replaceAll("'", '"'))).toEqual([
      'node',
      ...INGRESS_NODE_FLAGS,
      'apps/ingress/dist/main.mjs',
    ]);
  });

  it('the flags are accepted by this node (a typo would stop every worker at start)', () => {
    const result = spawnSync(process.execPath, [...WORKER_NODE_FLAGS, ...INGRESS_NODE_FLAGS, '-e', '0']);
    expect(result.stderr.toString()).toBe('');
    expect(result.status).toBe(0);
  });
});
