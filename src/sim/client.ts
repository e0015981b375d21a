/**
 * One shopper's browser, as far as the server can tell: a cookie jar, page
 * requests timed from the client side, and `/collect` beacons. Every
 * exchange waits for its turn in the schedule, and beacons carry the time
 * of that turn.
 * @module
 */
import type { Turn } from './schedule.js';

export interface Timings {
  /** Client-measured page round trips, ms. */
  page: number[];
  /** Server-side decision time from the Server-Timing header, ms. */
  server: number[];
}

export class ShopperClient {
  private readonly jar = new Map<string, string>();
  /** Event ids need only be unique per visitor (the log deduplicates on visitor and id). */
  private eventSeq = 0;

  constructor(
    private readonly base: string,
    private readonly timings: Timings,
    private readonly turn: Turn,
  ) {}

  private cookieHeader(): string {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === '') this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  page(path: string): Promise<string> {
    return this.turn(() => this.fetchPage(path));
  }

  collect(events: Array<{ type: string; item?: string; props?: Record<string, unknown> }>): Promise<void> {
    return this.turn((now) => this.post(events, now));
  }

  private async fetchPage(path: string): Promise<string> {
    const t0 = performance.now();
    const res = await fetch(this.base + path, {
      headers: { cookie: this.cookieHeader(), 'user-agent': 'tessera-sim' },
    });
    const html = await res.text();
    this.timings.page.push(performance.now() - t0);
    const st = res.headers.get('server-timing')?.match(/total;dur=([\d.]+)/);
    if (st?.[1]) this.timings.server.push(Number(st[1]));
    this.keep(res);
    if (res.status !== 200) throw new Error(`[tessera] [sim] GET ${path} answered ${res.status}`);
    return html;
  }

  private async post(
    events: Array<{ type: string; item?: string; props?: Record<string, unknown> }>,
    now: number,
  ): Promise<void> {
    const body = JSON.stringify({
      events: events.map((e) => ({ id: `sim-${(this.eventSeq++).toString(36)}`, ts: now, ...e })),
    });
    const res = await fetch(`${this.base}/collect`, {
      method: 'POST',
      headers: {
        cookie: this.cookieHeader(),
        'content-type': 'application/json',
        'user-agent': 'tessera-sim',
      },
      body,
    });
    await res.arrayBuffer();
    this.keep(res);
    if (res.status !== 202) throw new Error(`[tessera] [sim] POST /collect answered ${res.status}`);
  }
}

/** Item ids inside the element marked `data-tessera-slot="<slot>"`, in order. */
export function slotItems(html: string, slot: string): string[] {
  const start = html.indexOf(`data-tessera-slot="${slot}"`);
  if (start < 0) return [];
  const end = html.indexOf('</section>', start);
  return itemIds(html.slice(start, end < 0 ? undefined : end));
}

export function itemIds(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/data-tessera-item="([^"]+)"/g)) out.push(m[1]!);
  return out;
}
