/**
 * A real HTTP server standing in for a provider's API in tests. It records every request
 * as received (method, path with query, headers, raw body) and answers with whatever the
 * test's `respond` decides: a status, a body, a delay past the client's timeout.
 */
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path and query string, as sent. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface StubAnswer {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON. */
  body?: string | object;
  /** Answer only after this long (a slow provider). */
  delayMs?: number;
}

export type Responder = (req: RecordedRequest) => StubAnswer | Promise<StubAnswer>;

export interface HttpStub {
  /** `http://127.0.0.1:PORT`, without a trailing slash. */
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Replaceable by the test at any time. */
  respond: Responder;
  close(): Promise<void>;
}

export async function startHttpStub(respond: Responder = () => ({ status: 200, body: {} })): Promise<HttpStub> {
  const timers = new Set<NodeJS.Timeout>();
  const stub = { requests: [] as RecordedRequest[], respond } as HttpStub;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      stub.requests.push(recorded);
      let answer: StubAnswer;
      try {
        answer = await stub.respond(recorded);
      } catch (err) {
        answer = { status: 599, body: `stub responder threw: ${(err as Error).message}` };
      }
      const body = typeof answer.body === 'object' ? JSON.stringify(answer.body) : (answer.body ?? '');
      const headers = typeof answer.body === 'object' ? { 'content-type': 'application/json', ...answer.headers } : answer.headers;
      const send = () => {
        if (!res.destroyed) res.writeHead(answer.status, headers).end(body);
      };
      if (!answer.delayMs) return send();
      const timer = setTimeout(() => {
        timers.delete(timer);
        send();
      }, answer.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  stub.port = port;
  stub.url = `http://127.0.0.1:${port}`;
  stub.close = async () => {
    for (const t of timers) clearTimeout(t);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return stub;
}
