import { Writable } from 'node:stream';
import { createLogger } from './logger';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe(createLogger.name, () => {
  it('redacts credentials in headers and in logged objects', () => {
    const { lines, stream } = capture();
    const logger = createLogger({}, stream);
    logger.info(
      {
        req: { headers: { authorization: 'Bearer secret-token', 'x-api-key': 'ck_secret' } },
        body: { password: 'hunter2hunter2', token: 't0k3n' },
      },
      'request',
    );
    const line = lines.join('');
    expect(line).not.toContain('secret-token');
    expect(line).not.toContain('ck_secret');
    expect(line).not.toContain('hunter2hunter2');
    expect(line).not.toContain('t0k3n');
    expect(line).toContain('[redacted]');
  });

  it('logs only the shape of an error, not the query parameters a driver error carries', () => {
    const { lines, stream } = capture();
    const logger = createLogger({}, stream);
    const error = Object.assign(new Error('duplicate key'), {
      code: '23505',
      parameters: ['canary-value-4711'],
    });
    logger.error({ err: error }, 'failed');
    const line = lines.join('');
    expect(line).toContain('duplicate key');
    expect(line).toContain('23505');
    expect(line).not.toContain('canary-value-4711');
  });
});
