/**
 * Line-by-line reading of a text file, so a reader never holds a large
 * dataset's text in memory at once.
 * @module
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** Yields every line with its 1-based number; `\r` and a leading BOM are removed. */
export async function* readLines(path: string): AsyncGenerator<{ text: string; n: number }> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  try {
    for await (const raw of lines) {
      n++;
      let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (n === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      yield { text, n };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
