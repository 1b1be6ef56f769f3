import fc from 'fast-check';
import { DecodeError, decodeNotification, Encoding, encodeNotification } from '../../src/codec/codec';
import { Notification } from '../../src/codec/notification';
import { describeProblems, FieldProblem, validateNotification } from '../../src/codec/validate';
import {
  anyNotification,
  deepJson,
  garbageJson,
  JsonText,
  notificationLikeJson,
  objectText,
  protobufLikeBytes,
  text,
  validEmailNotification,
  validOtherChannelNotification,
} from './arbitraries';

const encoding = fc.constantFrom<Encoding>('JSON', 'BINARY');

/** Generous: a decode takes microseconds; this only catches a hang or a blow-up. */
const MAX_DECODE_MS = 1_000;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** What is wrong with a decoded value's shape; empty when it is a well-formed Notification. */
function shapeProblems(n: Notification): string[] {
  const problems: string[] = [];
  for (const field of ['notificationId', 'accountId', 'type', 'source'] as const) {
    if (typeof n[field] !== 'string') problems.push(`${field} is a ${typeof n[field]}`);
  }
  if (!Number.isInteger(n.channel)) problems.push(`channel ${n.channel} is not an integer`);
  for (const field of ['createdAtMicros', 'expiresAtMicros'] as const) {
    if (typeof n[field] !== 'bigint' || n[field] < INT64_MIN || n[field] > INT64_MAX) problems.push(`${field} ${n[field]} is not an int64`);
  }
  if (n.email !== undefined && !Object.values(n.email).every((v) => typeof v === 'string')) problems.push('email has a non-string field');
  return problems;
}

/** decodeNotification's whole contract: a well-formed Notification or a DecodeError, promptly. */
function expectDecodesOrRejects(bytes: Uint8Array | string, enc: Encoding): void {
  const started = performance.now();
  let decoded: Notification | undefined;
  try {
    decoded = decodeNotification(Buffer.from(bytes), enc);
  } catch (err) {
    if (!(err instanceof DecodeError)) {
      throw new Error(`decodeNotification threw ${(err as Error)?.name}, not DecodeError: ${(err as Error)?.message}`);
    }
    expect(err.message).not.toBe('');
  }
  expect(performance.now() - started).toBeLessThan(MAX_DECODE_MS);
  if (decoded) expect(shapeProblems(decoded)).toEqual([]);
}

describe('decodeNotification on arbitrary input', () => {
  test('when the payload is arbitrary bytes in either encoding, then it decodes or throws DecodeError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), encoding, expectDecodesOrRejects), { numRuns: 500 });
  });

  test('when the payload is protobuf-like bytes (our field numbers, any wire type), then BINARY decodes or throws DecodeError', () => {
    fc.assert(fc.property(protobufLikeBytes, (bytes) => expectDecodesOrRejects(bytes, 'BINARY')), { numRuns: 500 });
  });

  test('when the payload is arbitrary JSON text, then it decodes or throws DecodeError', () => {
    fc.assert(fc.property(fc.json({ stringUnit: 'binary' }), encoding, expectDecodesOrRejects), { numRuns: 300 });
  });

  test('when the payload is any serialisable JS value, then it decodes or throws DecodeError', () => {
    const serialised = fc
      .anything({ withBoxedValues: true, withNullPrototype: true, withObjectString: true })
      .map((v) => JSON.stringify(v) ?? 'undefined');
    fc.assert(fc.property(serialised, encoding, expectDecodesOrRejects), { numRuns: 300 });
  });

  test('when the payload looks like a notification with wrong types, huge numbers, prototype keys or nested garbage, then JSON decodes or throws DecodeError', () => {
    fc.assert(fc.property(notificationLikeJson, (json) => expectDecodesOrRejects(json.text, 'JSON')), { numRuns: 800 });
  });

  test('when any field holds deeply nested JSON, then JSON decodes or throws DecodeError', () => {
    const field = fc.constantFrom('notificationId', 'type', 'channel', 'createdAtMicros', 'expires_at_micros', 'email', 'unknownField');
    const doc = fc.tuple(field, deepJson()).map(([name, nested]) => new JsonText(objectText([[name, nested]])));
    fc.assert(fc.property(doc, (json) => expectDecodesOrRejects(json.text, 'JSON')), { numRuns: 60 });
  });

  test('when an email field holds garbage, then JSON decodes or throws DecodeError', () => {
    const doc = fc
      .array(fc.tuple(fc.constantFrom('to', 'subject', 'text', 'html', 'cc', '__proto__'), garbageJson), { maxLength: 5 })
      .map((entries) => new JsonText(objectText([['email', objectText(entries)]])));
    fc.assert(fc.property(doc, (json) => expectDecodesOrRejects(json.text, 'JSON')), { numRuns: 200 });
  });
});

describe('encodeNotification → decodeNotification', () => {
  test('when any notification is encoded in either encoding, then decoding gives it back unchanged', () => {
    fc.assert(
      fc.property(anyNotification, encoding, (n, enc) => {
        expect(decodeNotification(encodeNotification(n, enc), enc)).toEqual(n);
      }),
      { numRuns: 500 },
    );
  });

  test('when a valid notification is encoded in either encoding, then decoding gives it back unchanged and still valid', () => {
    fc.assert(
      fc.property(fc.oneof(validEmailNotification, validOtherChannelNotification), encoding, (n, enc) => {
        const decoded = decodeNotification(encodeNotification(n, enc), enc);
        expect(decoded).toEqual(n);
        expect(validateNotification(decoded)).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });
});

const KNOWN_CODES = new Set(['INVALID_PAYLOAD', 'UNKNOWN_CHANNEL', 'INVALID_RECIPIENT']);
const KNOWN_FIELDS = new Set([
  'notification_id', 'account_id', 'type', 'channel', 'source', 'created_at_micros', 'expires_at_micros',
  'email', 'email.to', 'email.subject', 'email.text',
  'sms', 'sms.to', 'sms.body',
  'push', 'push.device_token', 'push.body', 'push.data',
  'slack', 'slack.channel', 'slack.text',
  'line', 'line.to', 'line.text',
  'webhook', 'webhook.url', 'webhook.payload_json',
  'content.title', 'content.body', 'content.url', 'content.data',
]);

function expectKnownProblems(problems: FieldProblem[]): void {
  expect(Array.isArray(problems)).toBe(true);
  const unknown = problems.filter((p) => !KNOWN_CODES.has(p.code) || !KNOWN_FIELDS.has(p.field) || p.problem === '');
  expect(unknown).toEqual([]);
}

/** Notification-typed, but stretched: long and control-character strings, non-integer channels. */
const strangeNotification: fc.Arbitrary<Notification> = fc
  .tuple(
    anyNotification,
    fc.option(fc.oneof(fc.double(), fc.constantFrom(Number.NaN, Infinity, -0, 1.5, 2 ** 53))),
    fc.option(fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 40 }), fc.constantFrom('x'.repeat(200), 'x'.repeat(10_000), 'a@b.c\r\n', '\u0000'))),
  )
  .map(([n, channel, odd]) => ({
    ...n,
    ...(channel !== null && { channel }),
    ...(odd !== null && { notificationId: odd, type: odd, source: odd }),
    ...(odd !== null && n.email && { email: { ...n.email, to: odd, subject: odd } }),
  }));

describe('validateNotification on arbitrary notifications', () => {
  test('when a notification is arbitrary, then validation does not throw and every problem has a known code and field', () => {
    fc.assert(fc.property(strangeNotification, (n) => expectKnownProblems(validateNotification(n))), { numRuns: 500 });
  });

  test('when bytes decode to a notification, then validation does not throw and every problem has a known code and field', () => {
    fc.assert(
      fc.property(notificationLikeJson, (json) => {
        let n: Notification;
        try {
          n = decodeNotification(Buffer.from(json.text), 'JSON');
        } catch {
          return; // covered by the decoder properties
        }
        expectKnownProblems(validateNotification(n));
      }),
      { numRuns: 300 },
    );
  });

  test('when a notification is built valid, then validation finds no problem', () => {
    fc.assert(fc.property(fc.oneof(validEmailNotification, validOtherChannelNotification), (n) => expect(validateNotification(n)).toEqual([])), { numRuns: 300 });
  });

  test('when fields carry a marker value, then the problem description never contains it (no personal data)', () => {
    const MARKER = 'S3CRET-\u2603';
    const marked = fc.tuple(anyNotification, text(5), fc.boolean()).map(([n, noise, long]): Notification => {
      const value = long ? `${MARKER}${'x'.repeat(300)}${noise}` : `${MARKER}\r\n${noise}`;
      return { ...n, notificationId: value, type: value, accountId: value, source: value, email: { to: value, subject: value, text: value, html: value } };
    });
    fc.assert(
      fc.property(marked, (n) => {
        const problems = validateNotification(n);
        expect(problems.length).toBeGreaterThan(0);
        expect(describeProblems(problems)).not.toContain(MARKER);
      }),
      { numRuns: 200 },
    );
  });
});
