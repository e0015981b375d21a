import { createMemoryBus, createMemoryHub } from '../../src/bus/memory.js';
import { testBus } from './bus.js';

testBus('memory', async () => {
  const hub = createMemoryHub();
  const a = createMemoryBus({ hub });
  const b = createMemoryBus({ hub });
  return {
    a,
    b,
    async cleanup() {
      await a.close();
      await b.close();
    },
  };
});
