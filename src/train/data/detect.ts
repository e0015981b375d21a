/**
 * Which reader a file needs, from its first non-blank line: JSON objects are
 * OTTO sessions, a header naming a session column is the session-rec layout,
 * anything else is ratings/interactions.
 * @module
 */
import { columnsFromHeader, detectDelimiter, looksLikeHeader, splitFields } from './delimited.js';
import { readLines } from './lines.js';

export type DatasetFormat = 'ratings' | 'sessions' | 'otto';

export async function detectFormat(path: string): Promise<DatasetFormat> {
  for await (const { text } of readLines(path)) {
    const line = text.trim();
    if (line === '') continue;
    if (line.startsWith('{')) return 'otto';
    const fields = splitFields(line, detectDelimiter(line));
    if (looksLikeHeader(fields) && columnsFromHeader(fields).session !== undefined) return 'sessions';
    return 'ratings';
  }
  return 'ratings';
}
