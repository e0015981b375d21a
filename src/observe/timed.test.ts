import { describe, expect, it } from 'vitest';
import type { EventLog } from '../core/ports.js';
import { createMetrics } from './metrics.js';
import { timed } from './timed.js';

function fakeLog(): EventLog {
  return {
    name: 'fake',
    append: async (events) => events,
    read: async (after) => ({ events: [], cursor: after }),
    deleteVisitor: async () => 0,
    count: async () => 0,
    close: async () => {},
  };
}

describe('timed', () => {
  it('times each call of an operation, through one wrapper kept per method', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const log = timed('log', fakeLog(), metrics);
    expect(log.append).toBe(log.append);
    await log.append([]);
    await log.append([]);
    await log.count();
    const text = await metrics.text();
    expect(text).toContain('tessera_log_operation_seconds_count{driver="fake",op="append"} 2');
    expect(text).toContain('tessera_log_operation_seconds_count{driver="fake",op="count"} 1');
  });

  it('a method the driver replaces is wrapped anew, and failures are counted', async () => {
    const metrics = createMetrics({ processMetrics: false });
    const driver = fakeLog();
    const log = timed('log', driver, metrics);
    expect(await log.count()).toBe(0);
    driver.count = async () => {
      throw new Error('down');
    };
    await expect(log.count()).rejects.toThrow('down');
    const text = await metrics.text();
    expect(text).toContain('tessera_log_operation_seconds_count{driver="fake",op="count"} 2');
    expect(text).toContain('tessera_log_errors_total{driver="fake",op="count"} 1');
  });
});
