/**
 * An OTLP/HTTP traces receiver in the test process: a node:http server on
 * 127.0.0.1 that takes `POST /v1/traces` in the JSON encoding (what
 * @opentelemetry/exporter-trace-otlp-http and the Worker's fetch exporter
 * send), decodes each span with its resource, and lets a test wait for spans.
 * A body it cannot decode is kept as an error, so a test fails on it.
 */
import { createServer, type Server } from 'node:http';

export type AttrValue = string | number | boolean | AttrValue[] | undefined;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client, ... */
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, AttrValue>;
  resource: Record<string, AttrValue>;
  statusCode: number;
}

export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:41234` (the exporters add `/v1/traces`). */
  url: string;
  spans: ReceivedSpan[];
  errors: string[];
  /** Requests received, with their headers. */
  requests: Array<{
    path: string;
    contentType: string;
    headers: Record<string, string | string[] | undefined>;
  }>;
  waitFor(test: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

interface JsonAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: JsonAnyValue[] };
}
type JsonKeyValue = { key: string; value: JsonAnyValue };

function anyValueOf(v: JsonAnyValue | undefined): AttrValue {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(anyValueOf);
  return undefined;
}

function attributesOf(list: JsonKeyValue[] | undefined): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const kv of list ?? []) out[kv.key] = anyValueOf(kv.value);
  return out;
}

/** Ids arrive as hex (the OTLP JSON mapping); a base64 id would not match a traceparent, so it is refused. */
function hexId(id: unknown, length: number): string {
  if (typeof id !== 'string' || !new RegExp(`^[0-9a-f]{${length}}$`).test(id))
    throw new Error(`not a ${length}-digit hex id: ${JSON.stringify(id)}`);
  return id;
}

function decode(body: string): ReceivedSpan[] {
  const doc = JSON.parse(body) as {
    resourceSpans?: Array<{
      resource?: { attributes?: JsonKeyValue[] };
      scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }>;
    }>;
  };
  const out: ReceivedSpan[] = [];
  for (const rs of doc.resourceSpans ?? []) {
    const resource = attributesOf(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hexId(s.traceId, 32),
          spanId: hexId(s.spanId, 16),
          parentSpanId: s.parentSpanId ? hexId(s.parentSpanId, 16) : undefined,
          name: String(s.name),
          kind: Number(s.kind),
          startNs: BigInt(s.startTimeUnixNano as string),
          endNs: BigInt(s.endTimeUnixNano as string),
          attributes: attributesOf(s.attributes as JsonKeyValue[] | undefined),
          resource,
          statusCode: Number((s.status as { code?: number } | undefined)?.code ?? 0),
        });
      }
    }
  }
  return out;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const errors: string[] = [];
  const requests: OtlpReceiver['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = String(req.headers['content-type'] ?? '');
      requests.push({ path: req.url ?? '', contentType, headers: req.headers });
      try {
        if (req.method !== 'POST' || req.url !== '/v1/traces') throw new Error(`${req.method} ${req.url}`);
        if (!contentType.startsWith('application/json')) throw new Error(`content type ${contentType}`);
        spans.push(...decode(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (e) {
        errors.push(String(e));
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    errors,
    requests,
    async waitFor(test, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!test(spans)) {
        if (Date.now() > until)
          throw new Error(
            `spans not received in ${timeoutMs} ms (have ${spans.length}; errors: ${errors.join('; ')})`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
      return spans;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
