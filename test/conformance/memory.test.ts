import { createMemoryStore } from '../../src/profiles/memory.js';
import { testEventLog } from './event-log.js';
import { testProfileStore } from './profile-store.js';

testProfileStore('memory', async () => {
  const store = createMemoryStore();
  return { profiles: store.profiles, cleanup: () => store.close() };
});

testEventLog('memory', async () => {
  const store = createMemoryStore();
  return { events: store.events, cleanup: () => store.close() };
});
