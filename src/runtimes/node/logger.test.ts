import { describe, expect, it } from 'vitest';
import { requestLogger } from '../../core/request-logger.js';
import { consoleLogger } from './logger.js';

function capture(level: Parameters<typeof consoleLogger>[0]) {
  const lines: Array<Record<string, unknown>> = [];
  const logger = consoleLogger(level, { node: 'n-7', write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('the Node logger', () => {
  it('writes one JSON object per line with time, level, msg, node and the data', () => {
    const { logger, lines } = capture('info');
    logger.info('retrained', { version: 'v1', level: 'not mine' });
    expect(lines).toEqual([
      { time: expect.any(String), level: 'info', msg: 'retrained', node: 'n-7', version: 'v1' },
    ]);
  });

  it('carries the id of the request it is written for', async () => {
    const { logger, lines } = capture('debug');
    const forRequest = requestLogger(logger, 'req-9');
    await Promise.resolve();
    forRequest.debug('inside', { requestId: 'not mine' });
    logger.debug('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', requestId: 'req-9', node: 'n-7' });
    expect(lines[1]).not.toHaveProperty('requestId');
  });

  it("binds a request's logger only when it writes a line", () => {
    let bound = 0;
    const { logger, lines } = capture('info');
    const counting = {
      ...logger,
      forRequest: (id: string) => {
        bound++;
        return logger.forRequest!(id);
      },
    };
    const quiet = requestLogger(counting, 'req-1');
    expect(bound).toBe(0);
    quiet.info('one');
    quiet.warn('two');
    expect(bound).toBe(1);
    expect(lines.map((l) => l.requestId)).toEqual(['req-1', 'req-1']);
    // Another request's logger from it names that request only.
    requestLogger(quiet, 'req-2').info('three');
    expect(lines[2]).toMatchObject({ msg: 'three', requestId: 'req-2' });
  });

  it('at level warn, hides debug and info', () => {
    const { logger, lines } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(lines.map((l) => l.level)).toEqual(['warn', 'error']);
  });
});
