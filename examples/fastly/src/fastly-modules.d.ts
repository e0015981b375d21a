/**
 * The `fastly:*` modules the entry imports, as @fastly/js-compute documents
 * them (types/*.d.ts), narrowed to what it uses: the project type-checks
 * with DOM types, which the package's own globals would clash with.
 */
declare module 'fastly:kv-store' {
  export class KVStore {
    constructor(name: string);
    get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer>; text(): Promise<string> } | null>;
    put(key: string, value: BodyInit, options?: { ttl?: number }): Promise<undefined>;
    delete(key: string): Promise<undefined>;
    list(options?: { prefix?: string; limit?: number; cursor?: string }): Promise<{
      list: string[];
      cursor: string | undefined;
    }>;
  }
}
declare module 'fastly:html-rewriter' {
  export class HTMLRewritingStream {
    constructor();
    onElement(
      selector: string,
      handler: (element: import('../../../src/runtimes/fastly/rewriter.js').FastlyElementLike) => void,
    ): this;
    readonly writable: WritableStream<Uint8Array>;
    readonly readable: ReadableStream<Uint8Array>;
  }
}
declare module 'fastly:secret-store' {
  export class SecretStore {
    constructor(name: string);
    get(key: string): Promise<{ plaintext(): string } | null>;
  }
}
declare module 'fastly:config-store' {
  export class ConfigStore {
    constructor(name: string);
    get(key: string): string | null;
  }
}
declare module 'fastly:logger' {
  export class Logger {
    constructor(name: string);
    log(message: unknown): void;
  }
}
