import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { OutcomeUnknownError, PermanentError, TransientError } from '../delivery/failures';

/** One HTTP call to a provider. Redirects are never followed. */
export interface HttpRequest {
  url: URL;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Bounds the whole call: connect, send, and the complete answer. */
  timeoutMs: number;
  agent?: http.Agent;
  /**
   * Resolves host names (the webhook channel checks every address it connects to). A
   * PermanentError it calls back with rejects the request as it is.
   */
  lookup?: LookupFunction;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** At most MAX_RESPONSE_BYTES of the body, as UTF-8. */
  body: string;
}

/** Providers' answers that matter fit in far less; the rest is drained, not kept. */
export const MAX_RESPONSE_BYTES = 256 * 1024;

/** No HTTP answer arrived: whether the request had been sent decides what a retry risks. */
export class NoAnswerError extends Error {
  override name = 'NoAnswerError';
  constructor(
    message: string,
    readonly details: { requestSent: boolean; timedOut: boolean; code?: string },
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A keep-alive agent for one provider; `close()` of the channel destroys it. */
export function providerAgent(url: URL, maxSockets = 50): http.Agent {
  const options = { keepAlive: true, maxSockets, timeout: 60_000 };
  return url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

/**
 * Sends one request and reads the whole answer. Rejects only with NoAnswerError, or a
 * PermanentError: the address a `lookup` refused, or a request Node cannot build (a header
 * value it cannot send). Any status resolves.
 */
export function httpRequest(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const transport = req.url.protocol === 'https:' ? https : http;
    const body = req.body ?? '';
    let requestSent = false;
    let timedOut = false;
    let request: http.ClientRequest;
    try {
      request = transport.request(
        req.url,
        {
          method: req.method ?? 'POST',
          headers: { ...req.headers, 'content-length': String(Buffer.byteLength(body)) },
          agent: req.agent,
          lookup: req.lookup,
        },
        onResponse,
      );
    } catch (err) {
      // Node refuses to build it (a header value it cannot send): nothing was sent, and
      // retrying the same input cannot help.
      const code = (err as { code?: string }).code ?? 'invalid request';
      return reject(new PermanentError('INVALID_PAYLOAD', `the request could not be built (${code})`, { cause: err }));
    }
    // Started only once the request exists: nothing of a request that failed to build outlives it.
    const timer = setTimeout(() => {
      timedOut = true;
      request.destroy(new Error(`no answer within ${req.timeoutMs} ms`));
    }, req.timeoutMs);

    function onResponse(res: http.IncomingMessage) {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      };
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_RESPONSE_BYTES) chunks.push(chunk.subarray(0, MAX_RESPONSE_BYTES - size));
        size += chunk.length;
      });
      res.on('end', done);
      // The status line arrived: the provider's verdict is known even if the body broke off.
      res.on('error', done);
      res.on('aborted', done);
    }
    request.on('finish', () => {
      requestSent = true;
    });
    request.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err instanceof PermanentError) return reject(err);
      // A kept-alive socket the server had already closed: it never read this request.
      const staleSocket = request.reusedSocket && err.code === 'ECONNRESET';
      const code = timedOut ? 'ETIMEDOUT' : err.code;
      reject(new NoAnswerError(err.message, { requestSent: requestSent && !staleSocket, timedOut, code }, { cause: err }));
    });
    request.end(body);
  });
}

/**
 * What a missing answer means. Before the request was sent, nothing reached the provider:
 * transient. After, the provider may have accepted it: transient only when the provider
 * deduplicates retries (an idempotency key), else the outcome is unknown.
 */
export function classifyNoAnswer(provider: string, err: NoAnswerError, opts: { retriesDeduplicated: boolean }): Error {
  const { requestSent, timedOut, code } = err.details;
  const what = timedOut ? 'timed out' : `connection failed (${code ?? 'no code'})`;
  if (requestSent && !opts.retriesDeduplicated) {
    return new OutcomeUnknownError(`${provider}: ${what} after the request was sent`, { cause: err });
  }
  const transientCode = timedOut ? 'PROVIDER_TIMEOUT' : 'PROVIDER_UNAVAILABLE';
  return new TransientError(transientCode, `${provider}: ${what}${requestSent ? ' after the request was sent' : ''}`, { cause: err });
}

/**
 * A provider call: `httpRequest`, with a missing answer already classified for `provider`
 * (see classifyNoAnswer). Any HTTP status resolves, for the channel's outcome table.
 */
export async function callProvider(provider: string, req: HttpRequest, opts: { retriesDeduplicated: boolean }): Promise<HttpResponse> {
  try {
    return await httpRequest(req);
  } catch (err) {
    if (err instanceof NoAnswerError) throw classifyNoAnswer(provider, err, opts);
    throw err;
  }
}
