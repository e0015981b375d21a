import { describe, expect, it } from 'vitest';
import { withRequestId } from '../../observe/request-id.js';
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
    await withRequestId('req-9', async () => {
      await Promise.resolve();
      logger.debug('inside');
    });
    logger.debug('outside');
    expect(lines[0]).toMatchObject({ msg: 'inside', requestId: 'req-9' });
    expect(lines[1]).not.toHaveProperty('requestId');
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
