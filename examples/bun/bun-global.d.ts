/** The part of Bun the examples and tests use (the project type-checks without Bun's types). */
declare const Bun: {
  env: Record<string, string | undefined>;
  file(path: string): { arrayBuffer(): Promise<ArrayBuffer> };
  serve(o: { port: number; hostname: string; fetch: (r: Request) => Promise<Response> }): {
    port: number;
    stop(): void;
  };
};

declare module 'bun:sqlite' {
  export class Database {
    constructor(path: string, options?: { create?: boolean });
    exec(sql: string): void;
    query(sql: string): {
      get(...params: unknown[]): unknown;
      all(...params: unknown[]): unknown[];
      run(...params: unknown[]): { changes: number };
    };
    close(): void;
  }
}
