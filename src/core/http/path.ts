/**
 * The one path decoder. A request path is percent-decoded exactly once,
 * here, and every route (engine routing, the item route, the decision
 * context, admin, privacy) reads that one decoded path. Whatever turns the
 * path back into a URL or a header (the origin fetch, the variant key,
 * error messages) goes through `encodePath`, whose output decodes back to
 * the same path: a component downstream that decodes again cannot land on
 * another page (`/%2570roduct/x` stays `/%70roduct/x`), and a decoded `?`,
 * `#` or control character stays a literal part of the path instead of
 * starting a query, a fragment or a new header line.
 * @module
 */

/** Raw paths the WHATWG URL parser would change: dot segments, backslashes, characters outside printable ASCII. */
const NEEDS_URL_PARSER = /\/\.|%2e|\\|[^\x21-\x7e]/i;

/**
 * The decoded path of a request URL. Dot segments and backslashes are
 * resolved as the WHATWG URL parser resolves them (fetch runtimes hand over
 * `request.url` already parsed; Node hands over the raw request line), so
 * Node and workerd route a request alike. Cheap when there is nothing to do.
 */
/**
 * The last URL decoded and its path: a request's URL is read by the router,
 * the decision context and the metrics label, one after the other, and is
 * decoded once (the same string compares equal at once).
 */
let lastUrl = '';
let lastPath = '/';

export function pathOf(url: string): string {
  if (url === lastUrl) return lastPath;
  const path = decodedPath(url);
  lastUrl = url;
  lastPath = path;
  return path;
}

function decodedPath(url: string): string {
  const i = url.indexOf('://');
  const start = i === -1 ? url.indexOf('/') : url.indexOf('/', i + 3);
  if (start === -1) return '/';
  let end = url.indexOf('?', start);
  const hash = url.indexOf('#', start);
  if (end === -1 || (hash !== -1 && hash < end)) end = hash === -1 ? url.length : hash;
  let path = url.slice(start, end);
  if (NEEDS_URL_PARSER.test(path)) path = normalized(path);
  return path.includes('%') ? decodeOnce(path) : path;
}

function normalized(path: string): string {
  try {
    return new URL(`http://h${path}`).pathname;
  } catch {
    return path;
  }
}

/**
 * Percent-decode once. `%2F` stays as it is: a decoded `/` would let
 * `/x/..%2Fadmin` become a dot segment that a URL parser downstream (the
 * origin fetch) resolves into another path than the one routed here. A
 * malformed escape stays as it came (and `encodePath` encodes its `%`).
 */
function decodeOnce(path: string): string {
  return path.replace(/(?:%[0-9a-f]{2})+/gi, (run) => {
    try {
      return decodeURIComponent(run).replaceAll('/', '%2F');
    } catch {
      return run;
    }
  });
}

/** What a path segment may hold unencoded (RFC 3986 pchar, plus `/`). */
const PATH_SAFE = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/]*$/;
const PATH_UNSAFE = /[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/gu;

/**
 * A decoded path in its canonical URL form: everything but RFC 3986 path
 * characters percent-encoded as UTF-8 (`%`, `?`, `#`, `|`, spaces, quotes,
 * `<>`, control and non-ASCII characters among them). The result is
 * printable ASCII, safe in a header value and in a log line, and
 * `decodeURIComponent(encodePath(p)) === p` for every path `pathOf` returns.
 */
export function encodePath(path: string): string {
  if (PATH_SAFE.test(path)) return path;
  return path.replace(PATH_UNSAFE, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate: U+FFFD, as a decoder would read it
    }
  });
}
