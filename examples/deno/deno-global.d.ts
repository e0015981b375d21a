/** The part of the `Deno` global the examples and tests use (the project type-checks without Deno's types). */
declare const Deno: {
  env: { toObject(): Record<string, string> };
  args: string[];
  openKv(path?: string): Promise<import('../../src/profiles/deno-kv.js').DenoKvLike & { close(): void }>;
  readFile(path: string): Promise<Uint8Array>;
  serve(
    o: { port: number; hostname: string; onListen?: (a: { port: number; hostname: string }) => void },
    h: (r: Request) => Promise<Response>,
  ): { finished: Promise<void>; shutdown(): Promise<void> };
  exit(code?: number): never;
};
