import { readFileSync } from 'node:fs';
import { startNodeTarget } from '../helpers/node-target.js';
import { httpBehaviourSuite } from './behaviour.js';
import { httpHardeningSuite } from './hardening.js';

const catalog = JSON.parse(
  readFileSync(new URL('../../examples/shop/catalog.json', import.meta.url), 'utf8'),
) as Array<{
  id: string;
  category: string;
  in_stock: boolean;
}>;
const running = catalog.filter((p) => p.category === 'running' && p.in_stock).map((p) => p.id);

httpBehaviourSuite('Node, SQLite store', () => startNodeTarget({ store: 'sqlite' }), { running });
httpBehaviourSuite('Node, memory store', () => startNodeTarget({ store: 'memory' }), { running });
httpHardeningSuite('Node, memory store', () => startNodeTarget({ store: 'memory' }), { item: running[0]! });
