/**
 * The few Vitest functions the conformance suites use (`describe`, `it`,
 * hooks, `expect` with the matchers they call), in plain Web JavaScript, so
 * a suite written for Vitest runs unchanged inside Deno, Bun or another
 * runtime: the runtime bundles import `vitest` aliased to this file
 * (test/runtimes/bundle.ts), then call `runRegistered()`. A matcher the
 * suites start to use and this file lacks fails loudly ("not a function"),
 * never passes silently.
 * @module
 */
type Hook = () => unknown;
interface Case {
  name: string;
  fn: Hook;
  before: Hook[];
  after: Hook[];
  beforeAll: Hook[];
  afterAll: Hook[];
}

const cases: Case[] = [];
const stack: Array<{ name: string; before: Hook[]; after: Hook[]; beforeAll: Hook[]; afterAll: Hook[] }> = [];

export function describe(name: string, body: () => void): void {
  stack.push({ name, before: [], after: [], beforeAll: [], afterAll: [] });
  body();
  stack.pop();
}

export function it(name: string, fn: Hook): void {
  cases.push({
    name: [...stack.map((s) => s.name), name].join(' > '),
    fn,
    before: stack.flatMap((s) => s.before),
    after: stack.flatMap((s) => s.after).reverse(),
    beforeAll: stack.flatMap((s) => s.beforeAll),
    afterAll: stack.flatMap((s) => s.afterAll),
  });
}
export const test = it;

const top = () => {
  const s = stack[stack.length - 1];
  if (!s) throw new Error('[mini-vitest] hooks must be inside describe()');
  return s;
};
export const beforeEach = (fn: Hook) => void top().before.push(fn);
export const afterEach = (fn: Hook) => void top().after.push(fn);
export const beforeAll = (fn: Hook) => void top().beforeAll.push(fn);
export const afterAll = (fn: Hook) => void top().afterAll.push(fn);

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b))
    return deepEqual(Array.from(a as Uint8Array), Array.from(b as Uint8Array));
  // Like toEqual: keys whose value is undefined count as absent.
  const keys = (o: object) => Object.keys(o).filter((k) => (o as Record<string, unknown>)[k] !== undefined);
  const ka = keys(a);
  const kb = keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const show = (v: unknown) => {
  try {
    return JSON.stringify(v)?.slice(0, 300) ?? String(v);
  } catch {
    return String(v);
  }
};

function matchers(actual: unknown, label?: string) {
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new Error(`${label ? `${label}: ` : ''}expected ${show(actual)} ${what}`);
  };
  return {
    toBe: (e: unknown) => check(Object.is(actual, e), `to be ${show(e)}`),
    toEqual: (e: unknown) => check(deepEqual(actual, e), `to equal ${show(e)}`),
    toBeUndefined: () => check(actual === undefined, 'to be undefined'),
    toBeDefined: () => check(actual !== undefined, 'to be defined'),
    toBeLessThanOrEqual: (n: number) => check((actual as number) <= n, `to be <= ${n}`),
    toBeGreaterThanOrEqual: (n: number) => check((actual as number) >= n, `to be >= ${n}`),
    toHaveLength: (n: number) => check((actual as { length: number }).length === n, `to have length ${n}`),
    toMatch: (r: RegExp | string) => check(new RegExp(r).test(String(actual)), `to match ${r}`),
    toBeInstanceOf: (c: new (...a: never[]) => unknown) => check(actual instanceof c, `to be a ${c.name}`),
  };
}

export function expect(actual: unknown, label?: string) {
  return {
    ...matchers(actual, label),
    resolves: new Proxy({} as ReturnType<typeof matchers>, {
      get:
        (_, m: string) =>
        async (...args: unknown[]) =>
          (matchers(await actual, label) as Record<string, (...a: unknown[]) => void>)[m]!(...args),
    }),
    rejects: {
      async toThrow(r?: RegExp | string) {
        let error: unknown;
        try {
          await actual;
        } catch (e) {
          error = e;
        }
        if (error === undefined) throw new Error(`${label ?? 'promise'}: expected a rejection`);
        if (r !== undefined) matchers(String((error as Error).message ?? error)).toMatch(r);
      },
    },
  };
}

export interface CaseResult {
  name: string;
  ok: boolean;
  error?: string;
  ms: number;
}

/** Runs every registered case in order (beforeAll hooks once per describe block). */
export async function runRegistered(): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const ranAll = new Set<Hook>();
  for (const [i, c] of cases.entries()) {
    const start = performance.now();
    try {
      for (const h of c.beforeAll) {
        if (ranAll.has(h)) continue;
        ranAll.add(h);
        await h();
      }
      for (const h of c.before) await h();
      try {
        await c.fn();
      } finally {
        for (const h of c.after) await h();
      }
      results.push({ name: c.name, ok: true, ms: performance.now() - start });
    } catch (e) {
      results.push({ name: c.name, ok: false, error: String((e as Error)?.stack ?? e), ms: 0 });
    }
    const next = cases[i + 1];
    for (const h of c.afterAll) if (!next?.afterAll.includes(h)) await h();
  }
  return results;
}
