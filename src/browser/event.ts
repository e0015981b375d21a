/**
 * Building events: ids, timestamps, and the privacy-trimmed page properties.
 * @module
 */
import { EVENT_TYPES, type EventType, type TesseraEvent } from '../core/types.js';

type IdSource = Partial<Pick<Crypto, 'randomUUID' | 'getRandomValues'>>;

/**
 * A unique event id: `crypto.randomUUID()` when the browser has it (secure
 * contexts), else 16 random bytes in hex, else Math.random as a last resort.
 * The server dedupes on this id, so collisions only ever lose one event.
 */
export function newEventId(source: IdSource | undefined): string {
  if (source?.randomUUID) return source.randomUUID();
  const bytes = new Uint8Array(16);
  if (source?.getRandomValues) source.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  let hex = '';
  for (const b of bytes) hex += (b < 16 ? '0' : '') + b.toString(16);
  return hex;
}

export function isEventType(type: unknown): type is EventType {
  return (EVENT_TYPES as readonly unknown[]).includes(type);
}

/** One event in the `/collect` shape; empty `item` and `props` are left out. */
export function buildEvent(
  type: EventType,
  id: string,
  ts: number,
  item?: string,
  props?: Record<string, unknown>,
): TesseraEvent {
  const event: TesseraEvent = { id, type, ts };
  if (item) event.item = item;
  if (props && Object.keys(props).length > 0) event.props = props;
  return event;
}

/**
 * A URL without query string and fragment. Those often carry e-mail
 * addresses, tokens or search terms, which the collector must not send.
 */
export function stripUrl(url: string): string {
  const cut = url.search(/[?#]/);
  return cut < 0 ? url : url.slice(0, cut);
}

/** Props of the `page` event: the path and the referrer, both without query. */
export function pageProps(pathname: string, referrer: string): Record<string, string> {
  const props: Record<string, string> = { path: pathname };
  if (referrer) props.referrer = stripUrl(referrer);
  return props;
}
