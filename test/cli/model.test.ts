/**
 * `tessera model` through the built CLI: import, list, show, promote,
 * rollback, with --json and as tables, on a data dir's default store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTwoModels } from '../helpers/model-artifacts.js';
import { runCli } from './cli-process.js';

let dir: string;
let v1: { file: string; version: string };
let v2: { file: string; version: string };

const model = async (...args: string[]) =>
  (await runCli(['model', ...args, '--data-dir', join(dir, 'data')])).stdout;
const json = async (...args: string[]) => JSON.parse(await model(...args, '--json'));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-model-cli-'));
  [v1, v2] = (await writeTwoModels(dir)) as [typeof v1, typeof v2];
  expect(v1.version).not.toBe(v2.version);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// One registry through the file: each case continues from the one before.
describe('tessera model', () => {
  it('imports, promotes, lists, shows and rolls back, with --json', async () => {
    const imported = await json('import', v1.file);
    expect(imported.version).toMatchObject({
      version: v1.version,
      algorithm: expect.stringMatching(/^cooc-attr\//),
    });
    expect(imported.aliases).toEqual({ history: [], revision: 0 });
    expect((await json('import', v2.file, '--alias', 'candidate')).aliases).toMatchObject({
      candidate: v2.version,
    });

    expect((await json('promote', v1.version)).aliases).toMatchObject({
      production: v1.version,
      history: [],
    });
    const promoted = await json('promote', v2.version);
    expect(promoted).toMatchObject({
      announced: false,
      aliases: { production: v2.version, history: [v1.version] },
    });
    expect(promoted.aliases.candidate).toBeUndefined();

    const listed = await json('list');
    expect(listed.versions.map((m: { version: string }) => m.version)).toEqual([v1.version, v2.version]);
    expect(listed.aliases.production).toBe(v2.version);

    const rolled = await json('rollback');
    expect(rolled.aliases).toMatchObject({ production: v1.version, history: [] });
    expect(await json('show', v1.version)).toMatchObject({ version: v1.version, aliases: ['production'] });
    expect((await json('show', v2.version)).aliases).toEqual([]);
  });

  it('prints a table by default, newest version first', async () => {
    const lines = (await model('list')).trim().split('\n');
    expect(lines[0]).toMatch(/^VERSION\s+ALIASES\s+ALGORITHM\s+EVENTS/);
    expect(lines[1]).toMatch(new RegExp(`^${v2.version}\\s`));
    expect(lines[2]).toMatch(new RegExp(`^${v1.version}\\s+production\\s`));
  });

  it('refuses a rollback with no earlier production, and an unknown version', async () => {
    await expect(model('rollback')).rejects.toThrow(/\[tessera\] \[models\] no earlier production version/);
    await expect(model('promote', 'abcdefabcdefabcd')).rejects.toThrow(/no model version abcdefabcdefabcd/);
  });
});
