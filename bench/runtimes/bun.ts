/** The page benchmark in Bun: the shop as examples/bun/shop.ts builds it (bun:sqlite in memory, native HTMLRewriter). */
import { startBunShop } from '../../examples/bun/shop.js';
import { measurePage } from './measure.js';

const { handler } = await startBunShop();
const items = (Bun.env.BENCH_ITEMS ?? '').split(',');
console.log(JSON.stringify(await measurePage('bun', handler, items)));
process.exit(0);
