/**
 * The HTTP behaviour suite, unchanged, against the demo shop served by Hono
 * (@hono/node-server), Express and Fastify with Tessera's middleware in
 * front: three views of one category change the hero and the list, consent
 * declined stops personalization, cookies as on the demo.
 */
import { parseSiteConfig } from '../../src/core/segments/index.js';
import { httpBehaviourSuite } from '../http/behaviour.js';
import { startExpress, startFastify, startHonoOnNode } from './apps.js';
import { frameworkSuite } from './framework-suite.js';
import { running, shopForFramework } from './shop-options.js';

const { shop, options } = await shopForFramework();
options.site = parseSiteConfig(options.site);
const products = { running: running(shop.catalog) };

const fresh = async () => {
  // Each server gets its own stores and engine.
  const s = await shopForFramework();
  s.options.site = parseSiteConfig(s.options.site);
  return s;
};

httpBehaviourSuite(
  'Hono on Node (@hono/node-server)',
  async () => {
    const s = await fresh();
    return startHonoOnNode(s.shop, s.options);
  },
  products,
);
httpBehaviourSuite(
  'Express',
  async () => {
    const s = await fresh();
    return startExpress(s.shop, s.options);
  },
  products,
);
httpBehaviourSuite(
  'Fastify',
  async () => {
    const s = await fresh();
    return startFastify(s.shop, s.options);
  },
  products,
);

frameworkSuite('Hono on Node', () => startHonoOnNode(shop, options), products.running[0]!);
frameworkSuite(
  'Express',
  async () => {
    const s = await fresh();
    return startExpress(s.shop, s.options);
  },
  products.running[0]!,
);
frameworkSuite(
  'Fastify',
  async () => {
    const s = await fresh();
    return startFastify(s.shop, s.options);
  },
  products.running[0]!,
);
