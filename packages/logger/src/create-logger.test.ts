import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger, MAX_LOGGED_ERROR_TEXT } from './index.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, destination };
}

describe('createLogger', () => {
  it('writes JSON lines with the service name', () => {
    const { lines, destination } = capture();
    createLogger({ name: 'test', destination }).info({ integrationId: 'personio:1' }, 'hello');
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ name: 'test', msg: 'hello', integrationId: 'personio:1' });
  });

  it('redacts authorization headers, API keys, webhook secrets and passwords at any usual depth', () => {
    const { lines, destination } = capture();
    const log = createLogger({ name: 'test', destination });
    log.info({
      req: { headers: { authorization: 'Bearer sk-live', 'x-kombo-signature': 'sig' } },
      apiKey: 'sk-live',
      config: { KOMBO_WEBHOOK_SECRETS: ['whsec'], DASHBOARD_PASSWORD: 'pw' },
      password: 'pw',
    });
    const text = lines.join('');
    expect(text).not.toContain('sk-live');
    expect(text).not.toContain('whsec');
    expect(text).not.toContain('"pw"');
    expect(text).not.toContain('"sig"');
    expect(text).toContain('[redacted]');
  });

  it('logs a failed Redis command by its name only: a refused HELLO … AUTH carries the password', () => {
    const { lines, destination } = capture();
    const refused = Object.assign(new Error('WRONGPASS invalid username-password pair'), {
      command: { name: 'hello', args: ['3', 'AUTH', 'u', 'Pw-secret'] },
    });
    const slots = Object.assign(new Error('Failed to refresh slots cache.'), {
      lastNodeError: refused,
      nodes: ['127.0.0.1:7000', '127.0.0.1:7001'],
    });
    const log = createLogger({ name: 'test', destination });
    log.warn({ err: refused }, 'Redis connection error');
    log.warn({ err: slots }, 'Redis connection error');
    const text = lines.join('');
    expect(text).not.toContain('Pw-secret');
    const [first, second] = lines.map((line) => JSON.parse(line) as { err: Record<string, unknown> });
    expect(first?.err['command']).toEqual({ name: 'hello' });
    expect(second?.err['lastNodeError']).toMatchObject({ command: { name: 'hello' } });
    expect(second?.err['nodes']).toEqual(['127.0.0.1:7000', '127.0.0.1:7001']);
  });

  it('logs errors without drizzle query text or parameters, each text at most 2 KB', () => {
    const { lines, destination } = capture();
    const pgError = Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' });
    const params = `[{"first_name":"Ada-Secret"},"${'x'.repeat(400_000)}"]`;
    const drizzle = Object.assign(
      new Error(`Failed query: INSERT INTO hris_employees\nSELECT 1\nparams: ${params}`),
      {
        query: 'INSERT INTO hris_employees',
        params: ['Ada-Secret'],
        cause: pgError,
      },
    );
    createLogger({ name: 'test', destination }).warn({ err: drizzle }, 'page failed');
    createLogger({ name: 'test', destination }).warn({ err: new Error('y'.repeat(10_000)) }, 'long');
    const [first, second] = lines.map((line) => JSON.parse(line) as { err: Record<string, unknown> });
    const text = JSON.stringify(first);
    expect(text).not.toMatch(/Ada-Secret|INSERT INTO|xxxxxxxxxx/);
    expect(text.length).toBeLessThan(8_000);
    expect(first?.err['message']).toContain('invalid input syntax for type json');
    expect(first?.err).not.toHaveProperty('query');
    expect(first?.err).not.toHaveProperty('params');
    expect(String(second?.err['message']).length).toBeLessThanOrEqual(MAX_LOGGED_ERROR_TEXT);
  });
});
