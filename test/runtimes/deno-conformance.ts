/**
 * The profile-store conformance suite inside Deno, against Deno KV (a fresh
 * in-memory database per case): bundled with `vitest` aliased to
 * mini-vitest.ts, run by `deno run`, results printed as one JSON line.
 */
import { createDenoKvProfileStore } from '../../src/profiles/deno-kv.js';
import { testProfileStore } from '../conformance/profile-store.js';
import { runRegistered } from './mini-vitest.js';

testProfileStore('deno-kv', async () => {
  const kv = await Deno.openKv(':memory:');
  return {
    profiles: createDenoKvProfileStore({ kv }),
    async cleanup() {
      kv.close();
    },
  };
});

console.log(JSON.stringify(await runRegistered()));
