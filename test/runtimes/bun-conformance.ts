/**
 * The profile-store conformance suite inside Bun, against `bun:sqlite` (a
 * fresh in-memory database per case), like deno-conformance.ts.
 */
import { Database } from 'bun:sqlite';
import { createBunSqliteProfileStore } from '../../src/profiles/bun-sqlite.js';
import { testProfileStore } from '../conformance/profile-store.js';
import { runRegistered } from './mini-vitest.js';

testProfileStore('bun-sqlite', async () => {
  const store = createBunSqliteProfileStore({ db: new Database(':memory:') });
  return { profiles: store, cleanup: () => store.close() };
});

console.log(JSON.stringify(await runRegistered()));
