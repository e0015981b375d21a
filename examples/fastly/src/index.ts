/**
 * The demo shop on Fastly Compute. `npm run build:fastly` bundles this file
 * (scripts/build-runtime.mjs, `fastly:*` left to the runtime) and compiles it
 * with js-compute-runtime into dist/fastly/tessera.wasm. Resources (see
 * fastly.toml and README.md): KV Store `tessera`, Secret Store `tessera`,
 * Config Store `tessera`, log endpoint `tessera-events`, backend `origin`.
 */
import { ConfigStore } from 'fastly:config-store';
import { HTMLRewritingStream } from 'fastly:html-rewriter';
import { KVStore } from 'fastly:kv-store';
import { Logger } from 'fastly:logger';
import { SecretStore } from 'fastly:secret-store';
import { createFastlyHandler } from '../../../src/runtimes/fastly/index.js';
import { shopSite } from '../../cloudflare/shop.js';

interface FetchEventLike {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
declare function addEventListener(type: 'fetch', listener: (event: FetchEventLike) => void): void;

// Stores are opened on the first request: Fastly gives no platform access while the module initializes.
let config: ConfigStore | undefined;
let secrets: SecretStore | undefined;
let events: Logger | undefined;
// With TESSERA_ORIGIN set in the Config Store, pages come from the `origin` backend instead of the bundled shop.
const handler = createFastlyHandler({
  site: shopSite(),
  platform: {
    KVStore,
    HTMLRewritingStream,
    env: (name) => {
      config ??= new ConfigStore('tessera');
      return config.get(name) ?? undefined;
    },
    secret: async (name) => {
      secrets ??= new SecretStore('tessera');
      return (await secrets.get(name))?.plaintext();
    },
    eventLogger: {
      log: (line) => {
        events ??= new Logger('tessera-events');
        events.log(line);
      },
    },
    fetchOrigin: (input, init) => fetch(input, { ...init, backend: 'origin' } as RequestInit),
  },
});

addEventListener('fetch', (event) => event.respondWith(handler(event.request)));
