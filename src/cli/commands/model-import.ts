/**
 * What `tessera model import` registers, read and checked before the
 * registry is touched: an artifact file as it is, or an ONNX session model
 * with its item table, validated (opset, names, shapes, one inference) and
 * wrapped in an artifact.
 */
import { readFile } from 'node:fs/promises';
import { readArtifact } from '../../core/recommend/index.js';
import { onnxError } from '../../models/onnx/contract.js';
import { parseItemsFile } from '../../models/onnx/items-file.js';
import { onnxArtifact } from '../../models/onnx/onnx-artifact.js';
import { loadOrtNode } from '../../models/onnx/ort-node.js';
import { validateOnnxModel } from '../../models/onnx/validate.js';

export interface Imported {
  artifact: ArrayBuffer;
  algorithm: string;
}

export async function importArtifact(file: string | undefined): Promise<Imported> {
  if (file === undefined)
    throw new Error('[tessera] [models] give an artifact file, or --onnx FILE --items FILE');
  const bytes = await readFile(file);
  const artifact = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return { artifact, algorithm: readArtifact(artifact).trainer || 'imported' };
}

export async function importOnnx(onnxFile: string, itemsFile: unknown): Promise<Imported> {
  if (typeof itemsFile !== 'string')
    throw onnxError('--onnx needs --items FILE (the item table, docs/onnx.md)');
  const items = parseItemsFile(await readFile(itemsFile, 'utf8'));
  const bytes = new Uint8Array(await readFile(onnxFile));
  const contract = await validateOnnxModel(await loadOrtNode(), bytes, items.length);
  const artifact = await onnxArtifact(items, bytes, { trainer: `onnx/${contract.producer}` });
  readArtifact(artifact);
  return { artifact, algorithm: 'onnx' };
}
