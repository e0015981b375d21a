/**
 * The demo shop as a Cloudflare Worker. Bindings (KV, Durable Object, Queue,
 * secret) come from wrangler.toml; see README.md.
 */
import { createWorker, TesseraProfiles } from '../../src/runtimes/cloudflare/index.js';
import { shopSite } from './shop.js';

// The Durable Object class must be exported by the Worker that binds it.
export { TesseraProfiles };

export default createWorker(() => shopSite());
