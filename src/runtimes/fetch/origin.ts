/**
 * Origin mode: Tessera in front of an existing site. Pages are fetched from
 * the origin URL and personalized on the way out. The engine builds one
 * shell per variant from the origin's HTML (the origin is asked only on a
 * shell-cache miss), so the origin's answer is read whole here; the
 * personalized page itself still streams from the shell.
 * @module
 */
import type { RequestLike } from '../../core/context.js';
import type { Origin, OriginPage, OriginPassthrough } from '../../core/http/engine-state.js';

export interface FetchOriginOptions {
  /** The site behind Tessera, e.g. `https://shop.example.com`. */
  url: string;
  /** Request headers forwarded to the origin (default: accept-language). */
  forward?: string[];
  fetch?: typeof fetch;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'set-cookie',
  'content-length',
  'content-encoding',
]);

export function fetchOrigin(o: FetchOriginOptions): Origin {
  const base = o.url.replace(/\/+$/, '');
  const forward = o.forward ?? ['accept-language'];
  const get = o.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  return {
    async render(path: string, req: RequestLike): Promise<OriginPage | OriginPassthrough | undefined> {
      const headers = new Headers({ accept: 'text/html' });
      for (const name of forward) {
        const v = req.headers.get(name);
        if (v !== null) headers.set(name, v);
      }
      // Cookies stay at the edge: the origin renders the same page for everyone.
      const res = await get(base + path, { headers, redirect: 'manual' });
      const type = res.headers.get('content-type') ?? '';
      if (!type.includes('text/html') || res.status !== 200) {
        // Assets, redirects and errors go through as the origin sent them.
        const headers: Record<string, string> = {};
        res.headers.forEach((v, k) => {
          if (!HOP_BY_HOP.has(k)) headers[k] = v;
        });
        return { status: res.status, headers, body: res.body };
      }
      const pass: Record<string, string> = {};
      const lang = res.headers.get('content-language');
      if (lang) pass['content-language'] = lang;
      return { status: res.status, html: await res.text(), headers: pass };
    },
  };
}
