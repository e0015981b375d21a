/** The decoded path of a request URL, without the cost of `new URL` on the hot path. */
export function pathOf(url: string): string {
  const i = url.indexOf('://');
  const start = i === -1 ? 0 : url.indexOf('/', i + 3);
  if (start === -1) return '/';
  let end = url.indexOf('?', start);
  const hash = url.indexOf('#', start);
  if (end === -1 || (hash !== -1 && hash < end)) end = hash === -1 ? url.length : hash;
  const path = url.slice(start, end);
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}
