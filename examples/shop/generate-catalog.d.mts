/**
 * Types of `generate-catalog.mjs` for TypeScript callers.
 * @module
 */
import type { ShopProduct } from './shop.mjs';

export type Product = ShopProduct;
export const DEFAULT_COUNT: number;
export const DEFAULT_SEED: number;
/** Seeded PRNG, uniform in [0, 1). */
export function mulberry32(seed: number): () => number;
export function placeholderImage(hue: number, shade: number, label: string): string;
export function generateCatalog(options?: { count?: number; seed?: number }): Product[];
/** The catalog.json text: a JSON array, one product per line. */
export function serializeCatalog(products: Product[]): string;
