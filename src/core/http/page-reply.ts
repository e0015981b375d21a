/**
 * A page's reply: its header set is the variant's (page-headers.ts), the same
 * for every visitor of that variant, with only Server-Timing (and the
 * cookies) new per request. The set's header lines are built and checked
 * once per variant; per request they are copied and Server-Timing added,
 * instead of the set copied into a record and every line rebuilt from it.
 *
 * `headers` is still the full record for whoever reads it (the framework
 * middleware, `toResponse`, tests): made on first read. From then on the
 * record is the reply's headers and the ready lines are not used, so a
 * change made to it is sent.
 * @module
 */
import { type Reply, safeHeaderValue } from './reply.js';

/** A variant's headers, and their checked lines without Server-Timing (its slot is the set's last). */
export interface PresetHeaders {
  readonly headers: Readonly<Record<string, string>>;
  readonly lines: readonly string[];
}

export class PageReply implements Reply {
  status = 200;
  // Private fields (#): a copy made by spreading the reply (`{ ...reply, headers }`) takes none of them.
  readonly #preset: PresetHeaders;
  readonly #serverTiming: string;
  /** Server-Timing known to be tab and printable ASCII (made so): its line is sent without a check. */
  readonly #serverTimingPrintable: boolean;
  #record: Record<string, string> | undefined;

  constructor(
    preset: PresetHeaders,
    serverTiming: string,
    public cookies: string[],
    public body: Reply['body'],
    serverTimingPrintable = false,
  ) {
    this.#preset = preset;
    this.#serverTiming = serverTiming;
    this.#serverTimingPrintable = serverTimingPrintable;
  }

  get headers(): Record<string, string> {
    if (this.#record === undefined) {
      // Object.assign, then the slot filled: a spread followed by a property costs more on Node 20.
      this.#record = Object.assign({}, this.#preset.headers);
      this.#record['server-timing'] = this.#serverTiming;
    }
    return this.#record;
  }

  set headers(headers: Record<string, string>) {
    this.#record = headers;
  }

  /** The header lines without the cookies, while `headers` was never read (else undefined). */
  readyLines(): string[] | undefined {
    if (this.#record !== undefined) return undefined;
    const lines = this.#preset.lines.slice();
    const st = this.#serverTiming;
    lines.push('server-timing', this.#serverTimingPrintable ? st : safeHeaderValue(st));
    return lines;
  }
}
