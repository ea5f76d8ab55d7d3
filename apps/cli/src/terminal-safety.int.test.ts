// Text from Kombo and ids reach the terminal only as text: no escape sequence of it is printed, no line is unbounded,
// in every command's output; --json stays the exact data.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  finishRun,
  quarantineRecords,
  recordModelFailure,
  startRun,
  upsertIntegration,
  type Database,
} from '@kombo-sync/db';
import { completeIntent, SYNC_QUEUE, takeIntent, type RedisConnection } from '@kombo-sync/queue';
import { QueueEvents, Worker } from 'bullmq';
import { memoryOutput } from './output.js';
import { createProgram } from './program.js';
import { cliConfig } from './cli-config.js';
import { createServices, type Services } from './services.js';
import { testServices } from '@kombo-sync/config/testing';
import { openQueueSuite, type QueueSuite } from './testing/queue-suite.js';
import type { VerifySource } from './commands/verify.js';
import { runSync } from './commands/sync.js';

const { redisUrl: TEST_REDIS_URL } = testServices();

const BIN = fileURLToPath(new URL('../bin/kombo-sync.mjs', import.meta.url));

const CLEAR_SCREEN = '\u001b[2J\u001b[H';
const SET_TITLE = '\u001b]0;pwned\u0007';
const C1_CSI = '\u009b31m';
const RIGHT_TO_LEFT = '\u202e';
const LONG = 'x'.repeat(20_156);
/** What must never reach a terminal: ESC, BEL, CR, BS, C1 controls, bidirectional overrides. */
// eslint-disable-next-line no-control-regex -- the control characters are what the test looks for
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
/** Longer than any line the CLI writes itself; a line from Kombo data beyond it was not bounded. */
const MAX_LINE = 2_000;

const ID = `evil:${SET_TITLE}${RIGHT_TO_LEFT}`;
const TOOL = `tool${CLEAR_SCREEN}`;
const ORGANIZATION = `Org ${C1_CSI}${LONG}`;
const ERROR_MESSAGE = `Kombo said ${CLEAR_SCREEN}${LONG}`;
const RECORD_ID = `${CLEAR_SCREEN}${'r'.repeat(20_000)}`;
/** Quarantined under its own id: within the bound past which a quarantined id is stored hashed. */
const QUARANTINED_ID = `${CLEAR_SCREEN}${'r'.repeat(400)}`;

let suite: QueueSuite;
let database: Database;
let redis: RedisConnection;
let services: Services;

beforeAll(async () => {
  suite = await openQueueSuite();
  ({ database, redis } = suite);
  services = createServices(
    cliConfig({ databaseUrl: suite.databaseUrl, redisUrl: TEST_REDIS_URL, queuePrefix: suite.prefix }),
  );
  await upsertIntegration(database, {
    id: ID,
    tool: TOOL,
    category: 'HRIS',
    state: `ACTIVE${SET_TITLE}`,
    organizationName: ORGANIZATION,
    originId: `origin${CLEAR_SCREEN}`,
  });
  const run = await startRun(database, {
    integrationId: ID,
    kind: 'delta',
    trigger: `data-changed${C1_CSI}`,
  });
  await recordModelFailure(database, {
    integrationId: ID,
    model: 'hris_employees',
    runId: run,
    error: {
      kind: 'fail-model',
      code: `REMOTE.${SET_TITLE}`,
      message: ERROR_MESSAGE,
      cause: null,
    },
    counts: { pages: 0, records: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, quarantined: 0 },
  });
  await quarantineRecords(database, {
    integrationId: ID,
    model: 'hris_groups',
    runId: run,
    entries: [
      {
        recordId: QUARANTINED_ID,
        reasonCode: '22P02',
        reasonClass: 'data',
        reason: `bad value ${CLEAR_SCREEN}`,
        recordText: '{}',
      },
    ],
  });
  await finishRun(database, run, { status: 'partial', error: ERROR_MESSAGE });
});

afterAll(async () => {
  await services.close();
  await suite.close();
});

/** Checks without echoing the (huge) text in a failure message. */
function expectSafe(text: string): void {
  expect(UNSAFE.exec(text)?.[0]).toBeUndefined();
  expect(Math.max(...text.split('\n').map((line) => line.length))).toBeLessThanOrEqual(MAX_LINE);
}

async function run(args: string[], source?: VerifySource) {
  const out = memoryOutput();
  let code = -1;
  const program = createProgram({
    out,
    services,
    komboSource: () => source ?? { pages: () => (async function* () {})() },
    isStoringRemoteData: () => true,
    lagThresholdMs: () => 3_600_000,
    setExitCode: (exitCode) => (code = exitCode),
  });
  await program.parseAsync(['node', 'kombo-sync', ...args]);
  return { code, stdout: out.stdout.join('\n'), stderr: out.stderr.join('\n') };
}

describe('every CLI output is safe for a terminal', () => {
  it('status, integrations list and the controls commands print Kombo data as bounded text', async () => {
    const outputs = [
      await run(['status']),
      await run(['status', '--all', '--search', 'evil']),
      await run(['status', ID]),
      await run(['integrations', 'list']),
      await run(['pause', ID]),
      await run(['resume', ID]),
      await run(['configure', ID]),
    ];
    for (const { code, stdout, stderr } of outputs) {
      expect(code).toBe(0);
      expectSafe(stdout);
      expectSafe(stderr);
    }
    const [list, , detail] = outputs;
    // Still recognisable: the escapes are shown, not dropped.
    expect(list?.stdout?.includes('evil:\\x1b]0;pwned\\x07\\u202e')).toBe(true);
    expect(detail?.stdout?.includes('\\x1b[2J\\x1b[Hrrrr')).toBe(true);
  });

  it('--json prints the exact data, with nothing a terminal acts on', async () => {
    const outputs = {
      status: await run(['status', '--all', '--json']),
      detail: await run(['status', ID, '--json']),
      list: await run(['integrations', 'list', '--json']),
      configure: await run(['configure', ID, '--json']),
    };
    for (const { code, stdout } of Object.values(outputs)) {
      expect(code).toBe(0);
      expect(UNSAFE.exec(stdout)?.[0]).toBeUndefined();
    }
    const list = JSON.parse(outputs.list.stdout) as { integrations: Record<string, unknown>[] };
    expect(list.integrations[0]).toMatchObject({ id: ID, tool: TOOL, organizationName: ORGANIZATION });
    expect(JSON.parse(outputs.configure.stdout)).toMatchObject({ integrationId: ID });
    const detail = JSON.stringify(JSON.parse(outputs.detail.stdout));
    // Stored error texts are bounded (2 KB); what was stored comes back exactly.
    expect(detail.includes(JSON.stringify(QUARANTINED_ID))).toBe(true);
    expect(detail.includes(JSON.stringify(`Kombo said ${CLEAR_SCREEN}xxx`).slice(0, -1))).toBe(true);
    expect(JSON.stringify(JSON.parse(outputs.status.stdout)).includes(JSON.stringify(ID))).toBe(true);
  });

  it('verify prints ids Kombo sent as bounded text', async () => {
    const source: VerifySource = {
      async *pages() {
        yield {
          results: [
            { id: RECORD_ID, changed_at: '2026-11-28T12:00:00.000Z', remote_deleted_at: null },
            { id: `${SET_TITLE}${LONG}`, changed_at: '2026-11-28T12:00:00.000Z', remote_deleted_at: null },
          ],
        };
      },
    };
    const text = await run(['verify', ID, '--models', 'hris_employees'], source);
    expect(text.code).toBe(1);
    expectSafe(text.stdout);
    expect(text.stdout.includes('missing in mirror (2)')).toBe(true);
    const json = await run(['verify', ID, '--models', 'hris_employees', '--json'], source);
    expect(UNSAFE.exec(json.stdout)?.[0]).toBeUndefined();
    const parsed = JSON.parse(json.stdout) as { models: { differences: { missingInMirror: string[] } }[] };
    expect(parsed.models[0]?.differences.missingInMirror.includes(RECORD_ID)).toBe(true);
  });

  it('sync --wait prints the run and its failure as bounded text', async () => {
    const worker = new Worker(
      SYNC_QUEUE,
      async (job) => {
        const { integrationId } = job.data as { integrationId: string };
        const intent = await takeIntent(redis, suite.prefix, integrationId);
        const runId = await startRun(database, {
          integrationId,
          kind: 'delta',
          trigger: `manual${SET_TITLE}`,
          requestIds: intent?.requestIds ?? [],
        });
        await database.pool.query(`UPDATE sync_runs SET counts = $2 WHERE id = $1`, [
          runId,
          {
            hris_employees: {
              pages: 1,
              upserted: 0,
              unchanged: 0,
              deleted: 0,
              status: 'failed',
              error: ERROR_MESSAGE,
            },
          },
        ]);
        await finishRun(database, runId, { status: 'failed', error: ERROR_MESSAGE });
        if (intent) await completeIntent(redis, suite.prefix, integrationId, intent.takeId);
      },
      { connection: { url: TEST_REDIS_URL }, prefix: suite.prefix },
    );
    const out = memoryOutput();
    try {
      const code = await runSync(
        {
          db: database,
          request: suite.request,
          out,
          pollMs: 50,
          openQueueEvents: async (queueName) => {
            const events = new QueueEvents(queueName, {
              connection: { url: TEST_REDIS_URL },
              prefix: suite.prefix,
            });
            await events.waitUntilReady();
            return events;
          },
        },
        { integrationId: ID, wait: true, timeoutMs: 60_000 },
      );
      expect(code).toBe(1);
    } finally {
      await worker.close();
    }
    expectSafe(out.stdout.join('\n'));
    expectSafe(out.stderr.join('\n'));
    expect(out.stderr.join('\n').includes('Kombo said \\x1b[2J\\x1b[H')).toBe(true);
  });

  it('the process itself writes the guarded text to stdout', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>(
      (resolve) => {
        execFile(
          process.execPath,
          [BIN, 'status', ID],
          {
            env: {
              PATH: process.env.PATH ?? '',
              DATABASE_URL: suite.databaseUrl,
              REDIS_URL: TEST_REDIS_URL,
              QUEUE_PREFIX: suite.prefix,
            },
            timeout: 60_000,
            maxBuffer: 16 * 1024 * 1024,
          },
          (err, out, errOut) =>
            resolve({
              code: err ? (typeof err.code === 'number' ? err.code : -1) : 0,
              stdout: out,
              stderr: errOut,
            }),
        );
      },
    );
    expect(code).toBe(0);
    expectSafe(stdout);
    expectSafe(stderr);
    expect(stdout.includes('evil:\\x1b]0;pwned\\x07')).toBe(true);
  });
});
