/**
 * `tessera model import --onnx --items` through the built CLI: a model from
 * the GRU4Rec exporter is registered; a model whose scores do not cover the
 * item table and a garbage file are refused with a clear error, and the
 * registry is left as it was.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportGru4RecOnnx } from '../../src/train/algorithms/gru4rec/onnx-export.js';
import { initWeights } from '../../src/train/algorithms/gru4rec/weights.js';
import { createRng } from '../../src/train/rng.js';
import { runCli } from './cli-process.js';

let dir: string;
const file = (name: string) => join(dir, name);
const model = (...args: string[]) => runCli(['model', ...args, '--data-dir', file('data')]);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tessera-onnx-cli-'));
  const weights = initWeights(50, 8, createRng(1));
  writeFileSync(file('good.onnx'), exportGru4RecOnnx(weights, { candidates: true }));
  writeFileSync(file('all-items.onnx'), exportGru4RecOnnx(weights, { candidates: false }));
  writeFileSync(file('garbage.onnx'), 'not a model at all\n'.repeat(50));
  writeFileSync(file('items.json'), JSON.stringify(Array.from({ length: 50 }, (_, i) => `sku-${i}`)));
  writeFileSync(file('items-51.json'), JSON.stringify(Array.from({ length: 51 }, (_, i) => `sku-${i}`)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera model import --onnx', () => {
  it('registers a good model, refuses bad ones and swaps nothing', async () => {
    const good = JSON.parse(
      (
        await model(
          'import',
          '--onnx',
          file('good.onnx'),
          '--items',
          file('items.json'),
          '--alias',
          'production',
          '--json',
        )
      ).stdout,
    );
    expect(good.version.algorithm).toBe('onnx');
    expect(good.aliases.production).toBe(good.version.version);

    const shapes = await model(
      'import',
      '--onnx',
      file('all-items.onnx'),
      '--items',
      file('items-51.json'),
      '--alias',
      'production',
    ).catch((e) => e);
    expect(String(shapes.stderr ?? shapes)).toMatch(
      /\[tessera\] \[onnx\] scores must have shape \[1, 51\], has \[1, 50\]/,
    );
    const garbage = await model(
      'import',
      '--onnx',
      file('garbage.onnx'),
      '--items',
      file('items.json'),
      '--alias',
      'production',
    ).catch((e) => e);
    expect(String(garbage.stderr ?? garbage)).toMatch(/\[tessera\] \[onnx\] not an ONNX model/);

    const list = JSON.parse((await model('list', '--json')).stdout);
    expect(list.versions).toHaveLength(1);
    expect(list.aliases.production).toBe(good.version.version);
  });
});
