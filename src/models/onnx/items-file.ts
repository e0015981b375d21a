/**
 * The item table of an imported ONNX model (`--items items.json`): a JSON
 * array whose position i is the item of index i in the model — either ids
 * (`["sku-1", "sku-2"]`) or objects with an `id` and optional `category`,
 * `brand`, `tags`, `in_stock`, `title`, which the engine's filters and
 * reasons use.
 * @module
 */
import type { ModelData } from '../../core/recommend/artifact-format.js';
import { onnxError } from './contract.js';

export type ItemRow = ModelData['items'][number];

export function parseItemsFile(text: string): ItemRow[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw onnxError('the items file is not JSON', cause);
  }
  if (!Array.isArray(raw) || raw.length === 0)
    throw onnxError('the items file must be a non-empty JSON array');
  const seen = new Set<string>();
  return raw.map((x, i) => {
    const o = (typeof x === 'string' ? { id: x } : x) as Record<string, unknown>;
    if (typeof o !== 'object' || o === null || typeof o.id !== 'string' || o.id === '')
      throw onnxError(`items[${i}] must be an id or an object with a string "id"`);
    if (seen.has(o.id)) throw onnxError(`items[${i}]: duplicate id "${o.id}"`);
    seen.add(o.id);
    return {
      id: o.id,
      category: typeof o.category === 'string' ? o.category : '',
      brand: typeof o.brand === 'string' ? o.brand : '',
      tags: Array.isArray(o.tags) ? o.tags.filter((t): t is string => typeof t === 'string') : [],
      in_stock: o.in_stock !== false,
      ...(typeof o.title === 'string' ? { title: o.title } : {}),
    };
  });
}
