// `kombo-sync endpoints …` and `deliveries …` (in process, on a real Postgres): the secret printed once and never listed,
// the URL redacted, exit codes, the delivery log and replays.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  claimDeliveries,
  DEFAULT_LAG_THRESHOLD_MS,
  finishDelivery,
  writeWebhookMessages,
  type Database,
} from '@kombo-sync/db';
import { describeFailure } from '../handle-error.js';
import { memoryOutput } from '../output.js';
import { createProgram } from '../program.js';
import type { Services } from '../services.js';
import { createTestDatabase } from '../testing/queue-suite.js';

let database: Database;
let drop: () => Promise<void>;

beforeAll(async () => {
  ({ database, drop } = await createTestDatabase());
});
afterAll(async () => {
  await drop();
});

/** Runs `kombo-sync <args>` in process, as main.ts does (commander, then the exit code of the error). */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = memoryOutput();
  let code = 0;
  const services = {
    prefix: 'unused',
    database: async () => database,
    close: async () => undefined,
  } as unknown as Services;
  try {
    const program = createProgram({
      out,
      services,
      komboSource: () => {
        throw new Error('not used');
      },
      lagThresholdMs: () => DEFAULT_LAG_THRESHOLD_MS,
      isStoringRemoteData: () => true,
      setExitCode: (exitCode) => (code = exitCode),
    });
    await program.parseAsync(['node', 'kombo-sync', ...args]);
  } catch (err) {
    const failure = describeFailure(err, { redisTarget: 'unused' });
    if (failure.message) out.err(failure.message);
    code = failure.exitCode;
  }
  return { code, stdout: out.stdout.join('\n'), stderr: out.stderr.join('\n') };
}

describe('kombo-sync endpoints and deliveries', () => {
  it('creates, lists, rotates and disables endpoints; shows the log and replays dead letters', async () => {
    const created = await cli([
      'endpoints',
      'create',
      'https://hooks.example.com/in?token=t0ps3cret',
      '--models',
      'hris_employees',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const endpoint = JSON.parse(created.stdout) as {
      id: string;
      secret: string;
      url: string;
      models: string[];
    };
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toMatchObject({ url: 'https://hooks.example.com/in?…', models: ['hris_employees'] });

    const [list, badModel, badUrl, unknown] = await Promise.all([
      cli(['endpoints', 'list']),
      cli(['endpoints', 'create', 'https://x.example/', '--models', 'hris_bogus']),
      cli(['endpoints', 'create', 'ftp://x.example/?token=t0ps3cret']),
      cli(['deliveries', 'list', 'ep_nope']),
    ]);
    expect(list.stdout).toContain(endpoint.id);
    expect(list.stdout).toContain('https://hooks.example.com/in?…');
    for (const out of [list, badModel, badUrl, unknown]) {
      expect(out.stdout + out.stderr).not.toContain('t0ps3cret');
      expect(out.stdout + out.stderr).not.toContain(endpoint.secret);
    }
    expect([badModel.code, badUrl.code, unknown.code]).toEqual([2, 2, 3]);
    expect(badModel.stderr).toContain('unknown model hris_bogus');

    const rotated = await cli(['endpoints', 'rotate-secret', endpoint.id, '--keep-previous', '2h', '--json']);
    const newSecret = (JSON.parse(rotated.stdout) as { secret: string }).secret;
    expect(newSecret).not.toBe(endpoint.secret);

    // One delivery that failed for good, one pending.
    await writeWebhookMessages(database, {
      integrationId: 'personio:a',
      model: 'hris_employees',
      runId: 1,
      changedIds: ['e1'],
      deletedIds: [],
      komboTime: new Date(),
    });
    await writeWebhookMessages(database, {
      integrationId: 'personio:a',
      model: 'hris_employees',
      runId: 2,
      changedIds: ['e2'],
      deletedIds: [],
      komboTime: new Date(),
    });
    const [claimed] = await claimDeliveries(database, {
      now: new Date(),
      limit: 10,
      perEndpoint: 4,
      leaseMs: 60_000,
    });
    expect(claimed?.secrets).toEqual([newSecret, endpoint.secret]);
    await finishDelivery(database, {
      delivery: claimed!,
      startedAt: new Date(),
      latencyMs: 12,
      statusCode: 503,
      outcome: 'failed',
      error: 'HTTP 503',
      next: { kind: 'dead' },
      now: new Date(),
    });
    const log = await cli(['deliveries', 'list', endpoint.id, '--attempts']);
    expect(log.code).toBe(0);
    expect(log.stdout).toMatch(/msg_1 .*hris_employees +1 +dead +1 +503 +12 ms/);
    expect(log.stdout).toMatch(/msg_2 .*hris_employees +2 +pending +0 +- +- +now/);
    expect(log.stdout).toMatch(/#1 .* failed 503 12 ms HTTP 503/);

    const [noWhat, replay] = [
      await cli(['deliveries', 'replay', endpoint.id]),
      await cli(['deliveries', 'replay', endpoint.id, '--dead', '--json']),
    ];
    expect(noWhat.code).toBe(2);
    expect(JSON.parse(replay.stdout)).toEqual({ endpointId: endpoint.id, replayed: 1 });

    const disabled = await cli(['endpoints', 'update', endpoint.id, '--disable']);
    expect(disabled.stdout).toContain('disabled (disabled by an operator)');
    // `status` says so too.
    expect((await cli(['status'])).stdout).toMatch(
      new RegExp(`${endpoint.id}: DISABLED \\(disabled by an operator\\), failing since .*Z, 2 dead`),
    );
    const listed = JSON.parse((await cli(['endpoints', 'list', '--json'])).stdout) as {
      endpoints: Record<string, unknown>[];
    };
    expect(listed.endpoints[0]).toMatchObject({ isEnabled: false, dead: 2, pending: 0, isRotating: true });
    expect(JSON.stringify(listed)).not.toContain('whsec_');
    expect((await cli(['endpoints', 'delete', endpoint.id])).code).toBe(0);
    expect((await cli(['endpoints', 'delete', endpoint.id])).code).toBe(3);
  }, 90_000);
});
