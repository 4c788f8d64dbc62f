/**
 * `toNodeListener(handler)`: serve a fetch-style handler with Node's `node:http`, without importing `node:` here (so
 * this file also bundles for Workers and edge runtimes, where it is simply unused).
 *
 * ```js
 * import { createServer } from 'node:http';
 * createServer(toNodeListener(createPredictHandler(net))).listen(8080);
 * ```
 * @module
 */

/** The parts of node:http's IncomingMessage the adapter reads. */
export interface NodeRequestLike {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders?: string[];
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  pause(): unknown;
  resume(): unknown;
}

/** The parts of node:http's ServerResponse the adapter writes. */
export interface NodeResponseLike {
  statusCode: number;
  setHeader(name: string, value: string | string[]): unknown;
  end(body?: Uint8Array): unknown;
  headersSent?: boolean;
}

/**
 * Adapts a fetch-style handler `(request: Request) => Promise<Response>` (such as `createPredictHandler`'s) to a
 * `node:http` request listener `(req, res) => void`. The request body is streamed into the Request (the handler's
 * size limit stops reading early); the response is written with its status and headers. A failure of the handler
 * itself (it never throws by design) becomes a bare 500.
 */
export function toNodeListener(handler: (request: Request) => Promise<Response>): (req: NodeRequestLike, res: NodeResponseLike) => void {
  return (req, res) => {
    void serveOne(handler, req, res);
  };
}

async function serveOne(handler: (request: Request) => Promise<Response>, req: NodeRequestLike, res: NodeResponseLike): Promise<void> {
  try {
    const method = (req.method ?? 'GET').toUpperCase();
    const host = typeof req.headers.host === 'string' && /^[A-Za-z0-9.\-:[\]]+$/.test(req.headers.host) ? req.headers.host : 'localhost';
    const url = `http://${host}${(req.url ?? '/').startsWith('/') ? req.url ?? '/' : '/'}`;
    const headers = new Headers();
    const raw = req.rawHeaders ?? [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      try { headers.append(raw[i]!, raw[i + 1]!); } catch { /* a header undici refuses: left out */ }
    }
    let body: ReadableStream<Uint8Array> | null = null;
    if (method !== 'GET' && method !== 'HEAD') {
      let cancelled = false;
      body = new ReadableStream<Uint8Array>({
        start(c) {
          req.on('data', (chunk) => {
            if (cancelled) return;
            c.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
            if ((c.desiredSize ?? 1) <= 0) req.pause();
          });
          req.on('end', () => { if (!cancelled) c.close(); });
          req.on('error', (e) => { if (!cancelled) c.error(e); });
        },
        pull() { req.resume(); },
        cancel() { cancelled = true; req.resume(); },   // node discards the rest once the response is sent
      }, { highWaterMark: 4 });
    }
    const init: RequestInit & { duplex?: 'half' } = { method, headers };
    if (body) { init.body = body; init.duplex = 'half'; }
    const response = await handler(new Request(url, init));
    res.statusCode = response.status;
    response.headers.forEach((value, name) => { res.setHeader(name, value); });
    res.end(new Uint8Array(await response.arrayBuffer()));
  } catch {
    if (!res.headersSent) {
      res.statusCode = 500;
      res.setHeader('content-type', 'application/json');
    }
    res.end(new TextEncoder().encode('{"error":{"code":"internal_error","message":"the server failed to answer this request; retry later"}}'));
  }
}
