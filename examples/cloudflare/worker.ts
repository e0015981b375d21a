/**
 * The demo shop as a Cloudflare Worker. Bindings (KV, Durable Object, Queue,
 * secret) come from wrangler.toml; see README.md.
 */
import { createWorker, TesseraLedger, TesseraProfiles } from '../../src/runtimes/cloudflare/index.js';
import { shopSite } from './shop.js';

// The Durable Object classes must be exported by the Worker that binds them.
export { TesseraLedger, TesseraProfiles };

export default createWorker(() => shopSite());
