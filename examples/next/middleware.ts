/**
 * Tessera in front of this Next.js app's pages, in Next's edge runtime:
 * the middleware fetches the page Next renders for the same URL (marked with
 * the `x-tessera-render` header, which the matcher below skips so the
 * middleware does not call itself), fills its `data-tessera-slot` elements
 * and returns it; `/collect`, `/tessera.js` and `/privacy/me` are answered
 * here. The shop's rules and catalog are the demo shop's (../shop).
 */
import { DEFAULT_PATHS, tessera } from 'tessera/next';
import { createMemoryStore } from 'tessera/stores/memory';
import catalog from '../shop/catalog.json' with { type: 'json' };
import site from '../shop/site.json' with { type: 'json' };

declare const process: { env: Record<string, string | undefined> };

const env = process.env;
const modelUrl = env.TESSERA_MODEL_URL;
// Profiles and events in the isolate's memory: enough for a demo. For production pass a shared
// store (`createRedisRestProfileStore` from `tessera/vercel` over Vercel KV / Upstash).
const stores = createMemoryStore();

const middleware = tessera({
  site,
  catalog,
  settings: {
    secret: env.TESSERA_SECRET ?? '',
    consentMode: env.TESSERA_CONSENT_MODE === 'opt-out' ? 'opt-out' : 'opt-in',
    secureCookies: env.TESSERA_SECURE_COOKIES !== 'false',
  },
  // Tessera's paths and a health check; /tessera.js is served by Next from public/ (see README).
  paths: [...DEFAULT_PATHS.filter((p) => p !== '/tessera.js'), '/health'],
  ports: { profiles: stores.profiles, events: stores.events },
  // The trained artifact (`tessera train`), fetched once per isolate; without it, rules only.
  ...(modelUrl ? { model: async () => (await fetch(modelUrl)).arrayBuffer() } : {}),
  ...(env.TESSERA_RENDER_ORIGIN ? { renderOrigin: env.TESSERA_RENDER_ORIGIN } : {}),
});

export default middleware;

export const config = {
  matcher: [
    {
      // Pages and Tessera's paths; not Next's assets, public/tessera.js or the app's API routes.
      source: '/((?!_next/static|_next/image|favicon.ico|tessera.js|api/).*)',
      // The middleware's own fetch of the page goes straight to the page (see RENDER_HEADER).
      missing: [
        { type: 'header', key: 'x-tessera-render' },
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
