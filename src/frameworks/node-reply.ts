/**
 * A reply written to a `ServerResponse` a framework already touched. Once a
 * header was set with `setHeader` (Express's `x-powered-by`, a page's own
 * headers), Node's `writeHead` merges the raw header list by `setHeader`,
 * so of several `set-cookie` lines only the last would survive: the headers
 * go in by name first (cookies as one list), then the Node runtime's writer
 * sends the status and body.
 * @module
 */
import type { ServerResponse } from 'node:http';
import { type Reply, replyHeaders } from '../core/http/reply.js';
import { writeReply } from '../runtimes/node/server.js';

export function writeToFramework(res: ServerResponse, reply: Reply, head: boolean): void {
  for (const [name, value] of Object.entries(replyHeaders(reply))) res.setHeader(name, value);
  writeReply(res, { ...reply, headers: {}, cookies: [] }, head);
}
