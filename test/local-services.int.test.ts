import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { canConnect, startLocalServices } from '../scripts/local-services.mjs';

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
});
