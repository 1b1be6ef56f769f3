import { createServer, Server } from 'node:net';
import { OutcomeUnknownError, PermanentError, TransientError } from '../../../src/delivery/failures';
import { callProvider, classifyNoAnswer, httpRequest, MAX_RESPONSE_BYTES, NoAnswerError } from '../../../src/channels/http';
import { HttpStub, startHttpStub } from '../../support/http-stub';
import { freePort } from '../../support/ports';

let stub: HttpStub;
beforeAll(async () => {
  stub = await startHttpStub();
});
afterAll(() => stub.close());

const post = (path: string, extra: Partial<Parameters<typeof httpRequest>[0]> = {}) =>
  httpRequest({ url: new URL(`${stub.url}${path}`), headers: { 'content-type': 'text/plain' }, body: 'hello', timeoutMs: 2000, ...extra });

async function noAnswer(work: Promise<unknown>): Promise<NoAnswerError> {
  const err = await work.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(NoAnswerError);
  return err as NoAnswerError;
}

/** A TCP server that reads the request and closes the connection without answering. */
async function hangUpServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((socket) => socket.once('data', () => socket.destroy()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/x` };
}

describe('httpRequest', () => {
  test('when a header value cannot be sent (not Latin-1), then it rejects permanent INVALID_PAYLOAD, sends nothing, and nothing fires later', async () => {
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => crashes.push(err);
    process.on('uncaughtException', onCrash);
    try {
      const before = stub.requests.length;
      const sending = post('/x', { headers: { 'x-notifier-notification-id': '注文-42' }, timeoutMs: 50 });
      await expect(sending).rejects.toBeInstanceOf(PermanentError);
      await expect(sending).rejects.toMatchObject({ code: 'INVALID_PAYLOAD', message: 'the request could not be built (ERR_INVALID_CHAR)' });
      // Past the timeout a timer started for the request that never existed would throw here.
      await new Promise((r) => setTimeout(r, 200));
      expect(crashes).toEqual([]);
      expect(stub.requests.length).toBe(before);
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });

  test('when the provider answers, then status, headers and body come back and the request arrived as sent', async () => {
    stub.respond = () => ({ status: 201, headers: { 'x-id': 'abc' }, body: { sid: 'SM1' } });
    const res = await post('/messages?x=1');
    expect(res).toMatchObject({ status: 201, body: '{"sid":"SM1"}' });
    expect(res.headers['x-id']).toBe('abc');
    expect(stub.requests.at(-1)).toMatchObject({ method: 'POST', path: '/messages?x=1', body: 'hello' });
    expect(stub.requests.at(-1)!.headers).toMatchObject({ 'content-type': 'text/plain', 'content-length': '5' });
  });

  test('when the provider answers an error status or a redirect, then it resolves (the caller classifies) and no redirect is followed', async () => {
    stub.respond = (req) => (req.path === '/moved' ? { status: 302, headers: { location: `${stub.url}/target` } } : { status: 503 });
    expect((await post('/fail')).status).toBe(503);
    const before = stub.requests.length;
    expect((await post('/moved')).status).toBe(302);
    expect(stub.requests.slice(before).map((r) => r.path)).toEqual(['/moved']);
  });

  test('when the answer is larger than the cap, then only the cap is kept', async () => {
    stub.respond = () => ({ status: 200, body: 'x'.repeat(MAX_RESPONSE_BYTES + 1000) });
    expect((await post('/big')).body).toHaveLength(MAX_RESPONSE_BYTES);
  });

  test('when the answer comes after the timeout, then it is a NoAnswerError: sent, timed out', async () => {
    stub.respond = () => ({ status: 200, delayMs: 5000 });
    const err = await noAnswer(post('/slow', { timeoutMs: 200 }));
    expect(err.details).toMatchObject({ requestSent: true, timedOut: true, code: 'ETIMEDOUT' });
  });

  test('when nothing listens, then it is a NoAnswerError: not sent', async () => {
    const err = await noAnswer(httpRequest({ url: new URL(`http://127.0.0.1:${await freePort()}/`), timeoutMs: 2000 }));
    expect(err.details).toMatchObject({ requestSent: false, timedOut: false, code: 'ECONNREFUSED' });
  });

  test('when the name never resolves within the timeout, then it is a NoAnswerError: not sent, timed out', async () => {
    const err = await noAnswer(httpRequest({ url: new URL('http://provider.invalid/'), timeoutMs: 200, lookup: () => undefined }));
    expect(err.details).toMatchObject({ requestSent: false, timedOut: true });
  });

  test('when the server hangs up after reading the request, then it is a NoAnswerError: sent, not timed out', async () => {
    const { server, url } = await hangUpServer();
    try {
      const err = await noAnswer(httpRequest({ url: new URL(url), body: 'x', timeoutMs: 2000 }));
      expect(err.details).toMatchObject({ requestSent: true, timedOut: false, code: 'ECONNRESET' });
    } finally {
      server.close();
    }
  });

  test('when the lookup refuses the address with a PermanentError, then that error rejects the request as it is', async () => {
    const refusal = new PermanentError('DESTINATION_NOT_ALLOWED', 'private address');
    const work = httpRequest({ url: new URL('http://internal.example/'), timeoutMs: 2000, lookup: (_h, _o, cb) => cb(refusal, '', 4) });
    await expect(work).rejects.toBe(refusal);
  });
});

describe('classifyNoAnswer', () => {
  const err = (details: NoAnswerError['details']) => new NoAnswerError('x', details);

  test.each([
    ['not sent, refused', { requestSent: false, timedOut: false, code: 'ECONNREFUSED' }, false, TransientError, 'PROVIDER_UNAVAILABLE'],
    ['not sent, timed out', { requestSent: false, timedOut: true }, false, TransientError, 'PROVIDER_TIMEOUT'],
    ['sent, timed out, provider does not deduplicate', { requestSent: true, timedOut: true }, false, OutcomeUnknownError, 'SEND_OUTCOME_UNKNOWN'],
    ['sent, connection reset, provider does not deduplicate', { requestSent: true, timedOut: false, code: 'ECONNRESET' }, false, OutcomeUnknownError, 'SEND_OUTCOME_UNKNOWN'],
    ['sent, timed out, provider deduplicates retries', { requestSent: true, timedOut: true }, true, TransientError, 'PROVIDER_TIMEOUT'],
    ['sent, connection reset, provider deduplicates retries', { requestSent: true, timedOut: false, code: 'ECONNRESET' }, true, TransientError, 'PROVIDER_UNAVAILABLE'],
  ] as const)('when %s, then it is %p %s', (_, details, retriesDeduplicated, kind, code) => {
    const classified = classifyNoAnswer('twilio', err(details), { retriesDeduplicated });
    expect(classified).toBeInstanceOf(kind);
    expect(classified).toMatchObject({ code });
    expect(classified.message).toMatch(/^twilio: /);
  });
});

describe('callProvider', () => {
  test('when the provider answers, then any status resolves for the outcome table', async () => {
    stub.respond = () => ({ status: 404 });
    expect((await callProvider('p', { url: new URL(`${stub.url}/x`), timeoutMs: 2000 }, { retriesDeduplicated: false })).status).toBe(404);
  });

  test('when no answer comes after sending, then the no-answer rule of the provider decides', async () => {
    stub.respond = () => ({ status: 200, delayMs: 5000 });
    const call = (retriesDeduplicated: boolean) => callProvider('p', { url: new URL(`${stub.url}/slow`), timeoutMs: 200 }, { retriesDeduplicated });
    await expect(call(false)).rejects.toBeInstanceOf(OutcomeUnknownError);
    await expect(call(true)).rejects.toMatchObject({ kind: 'transient', code: 'PROVIDER_TIMEOUT', message: 'p: timed out after the request was sent' });
  });
});
