/**
 * Building events: ids, timestamps, and the privacy-trimmed page properties.
 * @module
 */
import { EVENT_TYPES, type EventType, type TesseraEvent } from '../core/types.js';

/**
 * A unique event id: 16 random bytes in hex. `getRandomValues` works outside
 * secure contexts too (unlike `randomUUID`), so every page gets the same kind
 * of id. The server dedupes on it, so a resent event must keep its id.
 */
export function newEventId(source: Pick<Crypto, 'getRandomValues'> = crypto): string {
  let hex = '';
  for (const b of source.getRandomValues(new Uint8Array(16))) hex += (b | 256).toString(16).slice(1);
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
  return url.split(/[?#]/)[0] as string;
}

/** Props of the `page` event: the path and the referrer, both without query. */
export function pageProps(pathname: string, referrer: string): Record<string, string> {
  const props: Record<string, string> = { path: pathname };
  if (referrer) props.referrer = stripUrl(referrer);
  return props;
}
