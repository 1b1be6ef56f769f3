import fc from 'fast-check';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { decodeNotification, Encoding, encodeNotification } from '../../src/codec/codec';
import { CHANNELS, Notification } from '../../src/codec/notification';
import { validateNotification } from '../../src/codec/validate';
import { createLogger } from '../../src/logging';
import { createApp } from '../../src/http/app';
import { noAuthentication } from '../../src/http/auth';
import { aDeliveryWorld, DeliveryWorld, FakeClock } from '../unit/fakes';
import {
  anyNotification,
  garbageJson,
  JsonText,
  notificationLikeJson,
  objectText,
  protobufLikeBytes,
  text,
  validEmailNotification,
} from './arbitraries';

/**
 * The push endpoint over the real delivery use case and healthy fakes, fed arbitrary
 * requests. Every run gets a fresh world (ledger, channel, dead-letter publisher), so
 * whatever it sent or recorded belongs to that one request.
 */

let world: DeliveryWorld;
let server: Server;
let pushUrl: string;

/** Jest gives tests a copy of `process`; crashes are reported on the real one. */
const realProcess = vm.runInThisContext('process') as NodeJS.Process;
const crashes: unknown[] = [];
const onCrash = (err: unknown) => crashes.push(err);

beforeAll(async () => {
  realProcess.on('unhandledRejection', onCrash);
  realProcess.on('uncaughtException', onCrash);
  const logs = new PassThrough();
  logs.resume();
  const app = createApp({
    deliver: (msg) => world.deliver(msg),
    authenticator: noAuthentication,
    log: createLogger('error', logs),
    projectId: 'p',
    isReady: async () => true,
  });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  pushUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pubsub/push`;
});

afterAll(async () => {
  realProcess.off('unhandledRejection', onCrash);
  realProcess.off('uncaughtException', onCrash);
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function push(body: string | Uint8Array, headers: Record<string, string> = { 'content-type': 'application/json' }) {
  const res = await fetch(pushUrl, { method: 'POST', headers, body: typeof body === 'string' ? body : new Uint8Array(body) });
  await res.arrayBuffer();
  // Let any rejection the request left behind surface before the run is judged.
  await new Promise((resolve) => setImmediate(resolve));
  expect(crashes).toEqual([]);
  return res.status;
}

// ---- the oracle: what the contract (DESIGN §4.2, §5) says should happen to a body ----

type Verdict = 'not_envelope' | 'poisoned' | 'dead_lettered' | 'expired' | 'sent';
interface Expected {
  verdict: Verdict;
  messageId?: string;
  data?: Buffer;
  attributes?: [string, string][];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The notification's fate once decoded: the contract's table, in precedence order. */
function fateOf(n: Notification): Verdict {
  if (validateNotification(n).length > 0 || n.channel !== CHANNELS.EMAIL) return 'dead_lettered';
  const nowMicros = BigInt(world.clock.nowMs()) * 1000n;
  return n.expiresAtMicros > 0n && n.expiresAtMicros <= nowMicros ? 'expired' : 'sent';
}

function expectationFor(body: string | Uint8Array): Expected {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof body === 'string' ? body : new TextDecoder().decode(body));
  } catch {
    return { verdict: 'not_envelope' };
  }
  if (!isObject(parsed) || !isObject(parsed.message)) return { verdict: 'not_envelope' };
  const m = parsed.message;
  const messageId = m.messageId ?? m.message_id;
  if (typeof messageId !== 'string' || messageId === '') return { verdict: 'not_envelope' };
  if (m.data !== undefined && typeof m.data !== 'string') return { verdict: 'not_envelope' };
  const attrs = m.attributes ?? {};
  if (!isObject(attrs) || Object.values(attrs).some((v) => typeof v !== 'string')) return { verdict: 'not_envelope' };
  // Known and left alone: an attribute named `__proto__` cannot survive assignment to a
  // plain object (parseEnvelope here, protobufjs's fromObject in the Pub/Sub client).
  // Unsigned notifier_* attributes are the notifier's own and never a producer's: ignored (the app here has no key).
  const attributes = Object.entries(attrs as Record<string, string>).filter(([k]) => k !== '__proto__' && !k.startsWith('notifier_'));
  const data = Buffer.from(m.data ?? '', 'base64');
  const declared = Object.hasOwn(attrs, 'googclient_schemaencoding') ? String(attrs.googclient_schemaencoding).toUpperCase() : '';
  const encoding: Encoding = declared === 'BINARY' ? 'BINARY' : 'JSON';
  let n: Notification;
  try {
    n = decodeNotification(data, encoding);
  } catch {
    return { verdict: 'poisoned', messageId, data, attributes };
  }
  return { verdict: fateOf(n), messageId, data, attributes };
}

/** Status, sends and failure records for one request, against the oracle. */
async function expectHandledPerContract(body: string | Uint8Array): Promise<void> {
  const expected = expectationFor(body);
  const status = await push(body);
  const { email, deadLetters } = world;
  const records = [...deadLetters.poisoned, ...deadLetters.deadLettered];
  expect({ status, verdict: expected.verdict }).toEqual({ status: expected.verdict === 'not_envelope' ? 400 : 204, verdict: expected.verdict });
  expect(email.sent).toHaveLength(expected.verdict === 'sent' ? 1 : 0);
  expect(deadLetters.poisoned).toHaveLength(expected.verdict === 'poisoned' ? 1 : 0);
  expect(deadLetters.deadLettered).toHaveLength(expected.verdict === 'dead_lettered' ? 1 : 0);
  for (const record of records) {
    expect(record.sourceMessageId).toBe(expected.messageId);
    expect(record.data.equals(expected.data!)).toBe(true);
    expect(Object.entries(record.attributes)).toEqual(expected.attributes);
  }
}

// ---- arbitraries for envelopes ----

const json = (v: unknown) => JSON.stringify(v);
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const ENCODING_VALUES = ['JSON', 'BINARY', 'json', 'binary', 'Json', 'AVRO', '', ' JSON', 'BINARY\n', 'JSONX'];

/** Valid but past its expiry at FakeClock's now: acked, neither sent nor dead-lettered. */
const expiredEmailNotification = validEmailNotification.chain((n) =>
  fc.bigInt({ min: 1n, max: BigInt(new FakeClock().now) * 1000n }).map((expiresAtMicros) => ({ ...n, expiresAtMicros })),
);

/** A payload with the encoding attribute its producer would (or would wrongly) set. */
const payload: fc.Arbitrary<{ bytes: Uint8Array; encoding?: string }> = fc.oneof(
  { weight: 2, arbitrary: fc.tuple(expiredEmailNotification, fc.constantFrom<Encoding>('JSON', 'BINARY'))
    .map(([n, enc]) => ({ bytes: encodeNotification(n, enc), encoding: enc })) },
  { weight: 3, arbitrary: fc.tuple(validEmailNotification, fc.constantFrom<Encoding>('JSON', 'BINARY'), fc.constantFrom('as-is', 'lower', 'absent'))
    .map(([n, enc, how]) => ({ bytes: encodeNotification(n, enc), encoding: how === 'absent' ? undefined : how === 'lower' ? enc.toLowerCase() : enc })) },
  { weight: 2, arbitrary: fc.tuple(anyNotification, fc.constantFrom<Encoding>('JSON', 'BINARY'))
    .map(([n, enc]) => ({ bytes: encodeNotification(n, enc), encoding: enc })) },
  { weight: 1, arbitrary: fc.tuple(validEmailNotification, fc.constantFrom<Encoding>('JSON', 'BINARY'), fc.constantFrom(...ENCODING_VALUES))
    .map(([n, enc, declared]) => ({ bytes: encodeNotification(n, enc), encoding: declared })) },
  { weight: 2, arbitrary: fc.tuple(notificationLikeJson, fc.option(fc.constantFrom(...ENCODING_VALUES)))
    .map(([doc, declared]) => ({ bytes: Buffer.from(doc.text), encoding: declared ?? undefined })) },
  { weight: 1, arbitrary: protobufLikeBytes.map((bytes) => ({ bytes, encoding: 'BINARY' })) },
  { weight: 1, arbitrary: fc.tuple(fc.uint8Array({ maxLength: 200 }), fc.option(fc.constantFrom(...ENCODING_VALUES)))
    .map(([bytes, declared]) => ({ bytes, encoding: declared ?? undefined })) },
);

/** message.data as JSON text: base64 (standard or URL-safe), not base64 at all, or not a string. */
const dataJson = (bytes: Uint8Array): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 16, arbitrary: fc.constant(json(base64(bytes))) },
    { weight: 2, arbitrary: fc.constant(json(Buffer.from(bytes).toString('base64url'))) },
    { weight: 2, arbitrary: text(40).map(json) },
    { weight: 1, arbitrary: garbageJson },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );

const attributeKey = fc.oneof(
  text(10),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'notifier_replay_of', 'googclient_schemaencoding', 'origin'),
);

/** message.attributes as JSON text: string maps with odd keys, or the wrong shape. */
const attributesJson = (encoding: string | undefined): fc.Arbitrary<string | undefined> => {
  const declared: [string, string][] = encoding === undefined ? [] : [['googclient_schemaencoding', json(encoding)]];
  return fc.oneof(
    { weight: 16, arbitrary: fc.array(fc.tuple(attributeKey, text(12).map(json)), { maxLength: 4 }).map((extra) => objectText([...declared, ...extra])) },
    { weight: 1, arbitrary: fc.array(fc.tuple(attributeKey, garbageJson), { minLength: 1, maxLength: 3 }).map((odd) => objectText([...declared, ...odd])) },
    { weight: 1, arbitrary: fc.constantFrom('null', '[]', '"JSON"', '5') },
    { weight: 4, arbitrary: fc.constant(encoding === undefined ? undefined : objectText(declared)) },
  );
};

const messageIdEntry: fc.Arbitrary<[string, string][]> = fc.oneof(
  { weight: 20, arbitrary: fc.tuple(fc.constantFrom('messageId', 'message_id'), text(16).filter((s) => s !== '').map(json)).map((e) => [e]) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('messageId', 'message_id'), fc.oneof(garbageJson, fc.constant('""'))).map((e) => [e]) },
  { weight: 1, arbitrary: fc.constant<[string, string][]>([]) },
);

/** A Pub/Sub push body, usually well-formed around an arbitrary payload, sometimes not. */
const envelope: fc.Arbitrary<JsonText> = payload.chain(({ bytes, encoding }) =>
  fc
    .record({
      id: messageIdEntry,
      data: dataJson(bytes),
      attributes: attributesJson(encoding),
      messageExtra: fc.array(fc.tuple(fc.constantFrom('publishTime', 'publish_time', 'orderingKey', '__proto__'), garbageJson), { maxLength: 2 }),
      subscription: fc.option(fc.oneof(text(30).map(json), garbageJson)),
      deliveryAttempt: fc.option(fc.oneof(fc.integer().map(String), garbageJson)),
      shape: fc.oneof({ weight: 20, arbitrary: fc.constant('object' as const) }, fc.constantFrom('array' as const, 'string' as const, 'missing' as const)),
    })
    .map(({ id, data, attributes, messageExtra, subscription, deliveryAttempt, shape }) => {
      const message: [string, string][] = [
        ...id,
        ...(data === undefined ? [] : [['data', data] as [string, string]]),
        ...(attributes === undefined ? [] : [['attributes', attributes] as [string, string]]),
        ...messageExtra,
      ];
      const messageJson = { object: objectText(message), array: `[${objectText(message)}]`, string: json('message'), missing: undefined }[shape];
      return new JsonText(
        objectText([
          ...(messageJson === undefined ? [] : [['message', messageJson] as [string, string]]),
          ...(subscription === null ? [] : [['subscription', subscription] as [string, string]]),
          ...(deliveryAttempt === null ? [] : [['deliveryAttempt', deliveryAttempt] as [string, string]]),
        ]),
      );
    }),
);

/** A well-formed push of a valid notification. */
const validPush = fc
  .tuple(validEmailNotification, fc.constantFrom<Encoding>('JSON', 'BINARY'), text(16).filter((s) => s !== ''))
  .map(([n, enc, messageId]) => ({
    n,
    body: json({ message: { messageId, data: base64(encodeNotification(n, enc)), attributes: { googclient_schemaencoding: enc } }, subscription: 's' }),
  }));

const fresh = () => {
  world = aDeliveryWorld();
};

// ---- properties ----

describe('POST /pubsub/push on arbitrary requests (healthy dependencies)', () => {
  test('when the body is arbitrary JSON, then it is 400 unless it is a push envelope, never 5xx, and nothing is sent for it', async () => {
    const body = fc.json({ stringUnit: 'binary' }).map((t) => new JsonText(t));
    await fc.assert(fc.asyncProperty(body, async (b) => {
      fresh();
      await expectHandledPerContract(b.text);
    }), { numRuns: 100 });
  });

  test('when the body is arbitrary bytes labelled application/json, then it is 400 unless it is a push envelope, never 5xx', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (bytes) => {
      fresh();
      await expectHandledPerContract(bytes);
    }), { numRuns: 100 });
  });

  test('when an envelope carries arbitrary ids, data, attributes and payloads, then a permanently bad message is 204 and dead-lettered or poisoned exactly once, only a non-envelope is 400, and only a valid notification is sent', async () => {
    await fc.assert(fc.asyncProperty(envelope, async (body) => {
      fresh();
      await expectHandledPerContract(body.text);
    }), { numRuns: 300 });
  });

  test('when the content type, charset or content encoding is arbitrary, then the answer is 204 or 400, never 5xx, and nothing is sent or recorded unless it is 204', async () => {
    const request = fc.record({
      push: fc.oneof(validPush.map((p) => p.body), envelope.map((e) => e.text), fc.json()),
      contentType: fc.oneof(
        fc.constantFrom(
          'application/json', 'application/json; charset=utf-8', 'application/json; charset=UTF-8', 'text/plain',
          'application/octet-stream', 'application/json; charset=latin1', 'application/json; charset=utf-16',
          'application/json; charset=utf-foo', 'application/json; charset=bogus', 'application/json; charset="', ';;',
        ),
        fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
      ),
      contentEncoding: fc.option(fc.oneof(fc.constantFrom('identity', 'gzip', 'deflate', 'br', 'compress', 'GZIP'), fc.stringMatching(/^[a-z-]{1,10}$/))),
      compress: fc.boolean(),
    });
    await fc.assert(fc.asyncProperty(request, async ({ push: body, contentType, contentEncoding, compress }) => {
      fresh();
      const headers: Record<string, string> = { 'content-type': contentType };
      if (contentEncoding !== null) headers['content-encoding'] = contentEncoding;
      const sentBody = compress && contentEncoding?.toLowerCase() === 'gzip' ? zlib.gzipSync(body) : body;
      const status = await push(sentBody, headers);
      expect([204, 400]).toContain(status);
      if (status !== 204) {
        expect(world.email.sent).toHaveLength(0);
        expect([...world.deadLetters.deadLettered, ...world.deadLetters.poisoned]).toHaveLength(0);
      }
    }), { numRuns: 150 });
  });
});

describe('POST /pubsub/push twice with the same valid notification', () => {
  test('when pushed twice in a row (redelivery or a second publish, either encoding), then both are 204 and it is sent exactly once', async () => {
    const twice = fc.tuple(validEmailNotification, fc.constantFrom<Encoding>('JSON', 'BINARY'), fc.constantFrom<Encoding>('JSON', 'BINARY'), fc.boolean());
    await fc.assert(fc.asyncProperty(twice, async ([n, first, second, sameMessage]) => {
      fresh();
      const body = (enc: Encoding, messageId: string) =>
        json({ message: { messageId, data: base64(encodeNotification(n, enc)), attributes: { googclient_schemaencoding: enc } } });
      expect(await push(body(first, 'm-1'))).toBe(204);
      expect(await push(body(second, sameMessage ? 'm-1' : 'm-2'))).toBe(204);
      expect(world.email.sent).toHaveLength(1);
      expect(world.email.sent[0]).toEqual(n);
      expect(world.ledger.row(n.notificationId)).toMatchObject({ status: 'sent', attempts: 1 });
      expect([...world.deadLetters.deadLettered, ...world.deadLetters.poisoned]).toHaveLength(0);
    }), { numRuns: 60 });
  });

  test('when pushed twice at once, then each is 204 or 409 (lock held), a 409 redelivered is 204, and it is sent exactly once', async () => {
    await fc.assert(fc.asyncProperty(validPush, async ({ n, body }) => {
      fresh();
      const statuses = await Promise.all([push(body), push(body)]);
      for (const status of statuses) expect([204, 409]).toContain(status);
      for (const status of statuses) if (status === 409) expect(await push(body)).toBe(204);
      expect(world.email.sent).toHaveLength(1);
      expect(world.email.sent[0]).toEqual(n);
    }), { numRuns: 60 });
  });
});
