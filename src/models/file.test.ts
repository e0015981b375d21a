import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

  it('replaces the previous artifact and leaves no temp files behind', async () => {
    const models = createFileModelStore({ path: join(dir, 'model.bin') });
    await models.put(new Uint8Array(1000).fill(1).buffer);
    await models.put(new Uint8Array([9]).buffer);
    expect(new Uint8Array((await models.get())!)).toEqual(new Uint8Array([9]));
    expect(readdirSync(dir)).toEqual(['model.bin']);
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
