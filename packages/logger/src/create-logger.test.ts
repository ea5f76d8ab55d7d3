import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { createLogger } from './index.js';

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
});
