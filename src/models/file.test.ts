import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFileModelStore } from './file.js';

describe('file model store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tessera-model-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('has no artifact while the file does not exist', async () => {
    expect(await createFileModelStore({ path: join(dir, 'model.bin') }).get()).toBeUndefined();
  });

  it('writes the artifact, creating the directory, and reads back exactly its bytes', async () => {
    const path = join(dir, 'deep', '.tessera', 'model.bin');
    const models = createFileModelStore({ path });
    await models.put(new Uint8Array([1, 2, 3, 250]).buffer);
    const got = await models.get();
    expect(got).toBeInstanceOf(ArrayBuffer);
    expect(got!.byteLength).toBe(4);
    expect(new Uint8Array(got!)).toEqual(new Uint8Array([1, 2, 3, 250]));
  });

  it('replaces the production artifact and leaves no temp or lock files behind', async () => {
    const models = createFileModelStore({ path: join(dir, 'model.bin') });
    await models.put(new Uint8Array(1000).fill(1).buffer);
    await models.put(new Uint8Array([9]).buffer);
    expect(new Uint8Array((await models.get())!)).toEqual(new Uint8Array([9]));
    expect(readdirSync(dir)).toEqual(['models']);
    const files = readdirSync(join(dir, 'models'));
    expect(files).toHaveLength(5);
    expect(files.filter((f) => !/^([0-9a-f]{16}\.(tsra|json)|aliases\.json)$/.test(f))).toEqual([]);
  });

  it('serves the single artifact file of an older version until an alias is written', async () => {
    const path = join(dir, 'model.bin');
    writeFileSync(path, new Uint8Array([5, 5]));
    const models = createFileModelStore({ path });
    expect(new Uint8Array((await models.get())!)).toEqual(new Uint8Array([5, 5]));
    await models.put(new Uint8Array([6]).buffer);
    expect(new Uint8Array((await models.get())!)).toEqual(new Uint8Array([6]));
  });

  it('keeps every file owner-only', async () => {
    const models = createFileModelStore({ path: join(dir, 'model.bin') });
    await models.put(new Uint8Array([1]).buffer);
    expect(statSync(join(dir, 'models')).mode & 0o777).toBe(0o700);
    for (const f of readdirSync(join(dir, 'models')))
      expect(statSync(join(dir, 'models', f)).mode & 0o777).toBe(0o600);
  });

  it('sees an artifact another writer put', async () => {
    const path = join(dir, 'model.bin');
    await createFileModelStore({ path }).put(new Uint8Array([4, 2]).buffer);
    expect(new Uint8Array((await createFileModelStore({ path }).get())!)).toEqual(new Uint8Array([4, 2]));
  });

  it('fails with a file-model error when the directory cannot be made', async () => {
    writeFileSync(join(dir, 'blocker'), 'x');
    const models = createFileModelStore({ path: join(dir, 'blocker', 'model.bin') });
    await expect(models.put(new Uint8Array([1]).buffer)).rejects.toThrow(
      /^\[tessera\] \[file-model\] cannot write/,
    );
    await expect(models.get()).rejects.toThrow(/^\[tessera\] \[file-model\] cannot read/);
  });
});
