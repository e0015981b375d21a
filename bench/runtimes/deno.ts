/** The page benchmark in Deno: the shop as examples/deno/shop.ts builds it (Deno KV in memory). */
import { startDenoShop } from '../../examples/deno/shop.js';
import { measurePage } from './measure.js';

const { handler } = await startDenoShop();
console.log(JSON.stringify(await measurePage('deno', handler, Deno.args)));
Deno.exit(0);
