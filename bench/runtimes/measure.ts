/**
 * Page CPU per request inside one runtime: the demo shop's personalized
 * home page through the runtime's Tessera handler, beside a bare handler in
 * the same runtime that answers the same bytes and headers. Requests are
 * made in process (no sockets): what is measured is the handler. Batches of
 * the two alternate; a batch's CPU (process.cpuUsage where the runtime has
 * it, else wall time of a single-threaded loop) over its size is one
 * sample; medians of the samples are reported.
 * @module
 */
type Handler = (r: Request) => Promise<Response>;

const cpuUs: () => { us: number; clock: string } = (() => {
  const p = (globalThis as { process?: { cpuUsage?: () => { user: number; system: number } } }).process;
  if (p?.cpuUsage) {
    const usage = p.cpuUsage.bind(p);
    return () => {
      const u = usage();
      return { us: u.user + u.system, clock: 'process.cpuUsage' };
    };
  }
  return () => ({ us: performance.now() * 1000, clock: 'wall (performance.now)' });
})();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

async function personalizedCookie(handler: Handler, base: string, items: string[]): Promise<string> {
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      jar.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
  };
  const consent = {
    id: 'b-consent',
    type: 'consent',
    ts: Date.now(),
    props: { personalization: true, analytics: true },
  };
  const res = await handler(
    new Request(`${base}/collect`, {
      method: 'POST',
      body: JSON.stringify({ events: [consent] }),
      headers: { 'content-type': 'application/json' },
    }),
  );
  keep(res);
  await res.arrayBuffer();
  for (const item of items) {
    const r = await handler(new Request(`${base}/product/${item}`, { headers: { cookie: cookie() } }));
    keep(r);
    await r.arrayBuffer();
  }
  return cookie();
}

export interface RuntimeBench {
  runtime: string;
  clock: string;
  bytes: number;
  hero: string | undefined;
  tesseraMedianUs: number;
  bareMedianUs: number;
  ratio: number;
  batches: number;
  batchSize: number;
}

export async function measurePage(
  runtime: string,
  handler: Handler,
  items: string[],
  o: { batches?: number; batchSize?: number } = {},
): Promise<RuntimeBench> {
  const base = 'http://127.0.0.1:1';
  const cookie = await personalizedCookie(handler, base, items);
  const page = () => new Request(`${base}/`, { headers: { cookie } });
  const sample = await handler(page());
  const body = new Uint8Array(await sample.arrayBuffer());
  const headers = [...sample.headers].filter(([k]) => k !== 'set-cookie');
  const bare: Handler = async () => new Response(body, { status: 200, headers });
  const batches = o.batches ?? 15;
  const size = o.batchSize ?? 100;
  const run = async (h: Handler) => {
    const start = cpuUs().us;
    for (let i = 0; i < size; i++) await (await h(page())).arrayBuffer();
    return (cpuUs().us - start) / size;
  };
  for (let i = 0; i < 3; i++) await run(handler); // warm up: JIT, model and stores loaded
  await run(bare);
  const t: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < batches; i++) {
    t.push(await run(handler));
    b.push(await run(bare));
  }
  const tesseraMedianUs = median(t);
  const bareMedianUs = median(b);
  return {
    runtime,
    clock: cpuUs().clock,
    bytes: body.byteLength,
    hero: /data-hero="([^"]+)"/.exec(new TextDecoder().decode(body))?.[1],
    tesseraMedianUs,
    bareMedianUs,
    ratio: tesseraMedianUs / bareMedianUs,
    batches,
    batchSize: size,
  };
}
