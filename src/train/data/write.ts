/**
 * Datasets back to text: ratings in the MovieLens `u.data` layout (tabs, no
 * header, seconds) and sessions in the session-rec layout (header, seconds),
 * so generated data can be fed to `tessera eval` like a downloaded file.
 * @module
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Interactions, SessionData } from '../model-types.js';

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path, { encoding: 'utf8' });
  let chunk = '';
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length > 1 << 16) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

const seconds = (ms: number): string => (Number.isNaN(ms) ? '' : String(Math.floor(ms / 1000)));

export function ratingsLines(data: Interactions): Iterable<string> {
  return (function* () {
    for (let u = 0; u < data.userIds.length; u++)
      for (let p = data.rowPtr[u]!; p < data.rowPtr[u + 1]!; p++)
        yield `${data.userIds[u]}\t${data.itemIds[data.col[p]!]}\t${data.val[p]}\t${seconds(data.ts[p]!)}`;
  })();
}

export function sessionLines(data: SessionData): Iterable<string> {
  return (function* () {
    yield 'SessionId\tItemId\tTime';
    for (const s of data.sessions)
      for (let j = 0; j < s.items.length; j++)
        yield `${s.id}\t${data.itemIds[s.items[j]!]}\t${seconds(s.ts[j]!)}`;
  })();
}

export const writeRatingsTsv = (path: string, data: Interactions): Promise<void> =>
  writeLines(path, ratingsLines(data));

export const writeSessionsTsv = (path: string, data: SessionData): Promise<void> =>
  writeLines(path, sessionLines(data));
