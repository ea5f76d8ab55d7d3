import { describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { canConnect, readPidFile, startLocalServices, startRedis } from '../scripts/local-services.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');

function processesMentioning(text: string): string[] {
  const out = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

describe('local services script', () => {
  it('starts Postgres and Redis on free ports and stops both, leaving no process behind', async () => {
    const services = await startLocalServices({ env: {} });
    const redisPort = Number(new URL(services.env.REDIS_URL).port);
    const pgUrl = new URL(services.env.DATABASE_URL);
    const pgPort = Number(pgUrl.port);
    expect(services.started).toBe(2);
    expect(await canConnect(redisPort)).toBe(true);
    expect(await canConnect(pgPort)).toBe(true);
    expect(pgUrl.pathname).toBe('/kombo_sync');

    await services.stop();

    expect(await canConnect(redisPort)).toBe(false);
    expect(await canConnect(pgPort)).toBe(false);
    expect(processesMentioning(`--port ${redisPort}`)).toEqual([]);
    expect(processesMentioning(`-p ${pgPort}`)).toEqual([]);
  });

  it('starts nothing when both URLs are configured', async () => {
    const services = await startLocalServices({
      env: { REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: 'postgres://u@127.0.0.1:2/db' },
    });
    expect(services.started).toBe(0);
    expect(services.env).toEqual({
      REDIS_URL: 'redis://127.0.0.1:1',
      DATABASE_URL: 'postgres://u@127.0.0.1:2/db',
    });
    await services.stop();
  });

  it('reads a pid only once the pidfile holds one (an empty pid must never become 0, our own process group)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kombo-sync-pidfile-'));
    const pidfile = path.join(dir, 'redis.pid');
    try {
      expect(readPidFile(pidfile)).toBeNull();
      for (const partial of ['', '\n', '0\n', '-1\n', '12a\n', ' 12\n']) {
        writeFileSync(pidfile, partial);
        expect(readPidFile(pidfile)).toBeNull();
      }
      writeFileSync(pidfile, '4242\n');
      expect(readPidFile(pidfile)).toBe(4242);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm test stops before jest, naming each missing tool, when it may not install them', () => {
    // A PATH holding only sh: redis-server and ps are missing (a minimal Debian has no ps); no apt allowed.
    const bin = mkdtempSync(path.join(os.tmpdir(), 'kombo-sync-path-'));
    try {
      symlinkSync('/bin/sh', path.join(bin, 'sh'));
      const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts', 'test.mjs')], {
        cwd: ROOT,
        env: { PATH: bin, KOMBO_SYNC_AUTO_INSTALL: '0', DATABASE_URL: 'postgres://u@127.0.0.1:2/db' },
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(/redis is missing\. .*apt-get install -y redis-server/);
      expect(result.stderr).toMatch(/ps is missing\. .*apt-get install -y procps/);
      expect(result.stdout).toBe(''); // jest never started
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('restarts Redis in the same directory and stops only that server', async () => {
    const first = await startRedis({ appendonly: true });
    expect(first.pid).toBeGreaterThan(0);
    await first.stop({ keepDir: true });
    const second = await startRedis({ port: first.port, dir: first.dir, appendonly: true });
    try {
      expect(second.pid).toBeGreaterThan(0);
      expect(second.pid).not.toBe(first.pid);
      expect(await canConnect(second.port)).toBe(true);
    } finally {
      await second.stop();
    }
    expect(await canConnect(second.port)).toBe(false);
  });
});
