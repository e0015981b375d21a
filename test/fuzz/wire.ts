/**
 * Sends hostile requests to a live server (Node or workerd) and checks every
 * output: the status, every response header, the body; then asks
 * `GET /health`, so a request that took the server down fails at once.
 */
import { connect } from 'node:net';
import type { HostileRequest } from './grammar.js';

export interface WireCounts {
  inputs: number;
  outputs: number;
  crashes: number;
  fiveXx: number;
}

export function newCounts(): WireCounts {
  return { inputs: 0, outputs: 0, crashes: 0, fiveXx: 0 };
}

export function report(where: string, c: WireCounts): string {
  return `fuzz: ${c.inputs} inputs, ${c.outputs} outputs checked, ${c.crashes} crashes, ${c.fiveXx} 5xx (${where})`;
}

const PRINTABLE = /^[\t\x20-\x7e]*$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CONTROL = /[\p{Cc}\u2028\u2029]/u;

/** The promises a response keeps; throws with what broke. Returns how many outputs it checked. */
async function checkResponse(what: string, res: Response, method: string): Promise<number> {
  let outputs = 1;
  if (res.status >= 500) throw new Error(`5xx ${res.status} for ${what}: ${await res.text()}`);
  for (const [name, value] of res.headers) {
    outputs++;
    if (!TOKEN.test(name)) throw new Error(`header name ${JSON.stringify(name)} for ${what}`);
    if (!PRINTABLE.test(value)) throw new Error(`header ${name}: ${JSON.stringify(value)} for ${what}`);
    if (name === 'x-evil') throw new Error(`an injected header for ${what}`);
  }
  for (const c of res.headers.getSetCookie()) {
    if (/^x=/.test(c)) throw new Error(`an injected cookie for ${what}`);
  }
  const text = await res.text();
  outputs++;
  const type = res.headers.get('content-type') ?? '';
  if (method !== 'HEAD' && type.startsWith('application/json')) {
    if (res.headers.get('x-content-type-options') !== 'nosniff')
      throw new Error(`JSON without nosniff: ${what}`);
    if (/<script|<img|<svg/i.test(text)) throw new Error(`markup in JSON for ${what}: ${text.slice(0, 200)}`);
    if (res.status >= 400) {
      const error = (JSON.parse(text) as { error?: unknown }).error;
      if (typeof error !== 'string' || !error.startsWith('[tessera]'))
        throw new Error(`a ${res.status} without a [tessera] message for ${what}: ${text.slice(0, 200)}`);
      if (CONTROL.test(error)) throw new Error(`control characters in ${JSON.stringify(error)} for ${what}`);
    }
  }
  return outputs;
}

async function expectAlive(base: string, what: string): Promise<number> {
  let res: Response;
  try {
    res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(5000) });
  } catch (e) {
    throw new Error(`the server is down after ${what}`, { cause: e });
  }
  const json = (await res.json()) as { status?: string };
  if (res.status !== 200 || (json.status !== 'ok' && json.status !== 'degraded'))
    throw new Error(`/health answered ${res.status} ${JSON.stringify(json)} after ${what}`);
  return 1;
}

/** One hostile request through fetch, its response checked, then the health probe. */
export async function sendChecked(base: string, r: HostileRequest, c: WireCounts): Promise<void> {
  c.inputs++;
  const what = `${r.method} ${r.target} ${JSON.stringify(r.headers)}`;
  let res: Response;
  try {
    res = await fetch(`${base}${r.target}`, {
      method: r.method,
      headers: r.headers,
      ...(r.body !== undefined ? { body: r.body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    c.crashes++;
    throw new Error(`no answer to ${what}`, { cause: e });
  }
  if (res.status >= 500) c.fiveXx++;
  c.outputs += await checkResponse(what, res, r.method);
  c.outputs += await expectAlive(base, what);
}

/**
 * Bytes straight onto a socket, for request lines and Host headers no fetch
 * client would send. Node's parser may refuse them (400) or Tessera answers;
 * either way the head must be well-formed and the server still up.
 */
export async function sendRaw(
  base: string,
  r: { target: string; host: string | null },
  c: WireCounts,
): Promise<void> {
  c.inputs++;
  const { hostname, port, host: own } = new URL(base);
  const host = r.host?.replaceAll('HOST', own);
  const head = `GET ${r.target} HTTP/1.1\r\n${host === undefined ? '' : `Host: ${host}\r\n`}Connection: close\r\n\r\n`;
  const what = JSON.stringify(head);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    // No FIN from our side: Node drops a response still being built when the client half-closes.
    socket.write(Buffer.from(head, 'latin1'));
  }).catch((e: unknown) => {
    c.crashes++;
    throw new Error(`no answer to ${what}`, { cause: e });
  });
  const m = /^HTTP\/1\.1 (\d{3})/.exec(answer);
  if (!m) {
    c.crashes++;
    throw new Error(`no status line for ${what}: ${JSON.stringify(answer.slice(0, 100))}`);
  }
  const status = Number(m[1]);
  if (status >= 500) {
    c.fiveXx++;
    throw new Error(`5xx ${status} for ${what}`);
  }
  const lines = answer.slice(0, answer.indexOf('\r\n\r\n')).split('\r\n').slice(1);
  for (const line of lines) {
    c.outputs++;
    const name = line.slice(0, line.indexOf(':'));
    if (!TOKEN.test(name) || !PRINTABLE.test(line))
      throw new Error(`bad header line ${JSON.stringify(line)}`);
    if (/^x-evil$/i.test(name)) throw new Error(`an injected header for ${what}`);
  }
  c.outputs += 1 + (await expectAlive(base, what));
}
