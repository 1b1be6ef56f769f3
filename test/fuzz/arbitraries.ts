import fc from 'fast-check';
import { CHANNELS, Notification } from '../../src/codec/notification';
import { keyProblem, MAX_ID_LENGTH, MAX_TIMESTAMP_MICROS } from '../../src/codec/validate';
import { FakeClock } from '../unit/fakes';

/**
 * Arbitraries shared by the fuzz suites. Payload fragments are JSON *text*, not values:
 * text can carry own `__proto__` keys, duplicate keys and nesting deeper than
 * JSON.stringify could write.
 */

/**
 * JSON text that prints compactly in a counterexample: runs of a repeated unit (deep
 * nesting, long padding) are shown as `⟨unit×count⟩`. Fragments stay plain strings;
 * whole documents are wrapped so that fast-check's report stays readable.
 */
export class JsonText {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }

  [fc.toStringMethod](): string {
    const compact = this.text.replace(/([^]{1,5}?)\1{7,}/g, (run, unit: string) => `⟨${unit}×${run.length / unit.length}⟩`);
    return `JsonText(${JSON.stringify(compact)})`;
  }
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Any well-formed Unicode text (no lone surrogates: those are not UTF-8). */
export const text = (maxLength = 20) => fc.string({ unit: 'binary', maxLength });

/** A non-empty identifier the validator accepts: printable, no whitespace at either end, at most MAX_ID_LENGTH UTF-16 units. */
const identifier = fc
  .string({ unit: fc.oneof(fc.constantFrom('n', '-', '.', '_', '1', ' '), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 12 })
  .filter((s) => s.length <= MAX_ID_LENGTH && keyProblem(s) === undefined);

/** Every int64, weighted towards the edges. */
export const int64 = fc.oneof(
  fc.bigInt({ min: INT64_MIN, max: INT64_MAX }),
  fc.constantFrom(0n, 1n, -1n, INT64_MIN, INT64_MAX, 2n ** 53n + 1n, -(2n ** 53n) - 1n),
);

/** Any Notification the wire can carry: unknown channels, negative times, empty fields. */
export const anyNotification: fc.Arbitrary<Notification> = fc.record(
  {
    notificationId: text(),
    accountId: text(),
    type: text(),
    channel: fc.oneof(fc.constantFrom(...Object.values(CHANNELS)), fc.integer({ min: INT32_MIN, max: INT32_MAX })),
    source: text(),
    createdAtMicros: int64,
    expiresAtMicros: int64,
    email: fc.record({ to: text(), subject: text(), text: text(), html: text() }),
    sms: fc.record({ to: text(), body: text() }),
    push: fc.record({ deviceToken: text(), title: text(), body: text(), data: fc.dictionary(text(), text(), { maxKeys: 4 }) }),
    slack: fc.record({ channel: text(), text: text() }),
    line: fc.record({ to: text(), text: text() }),
    webhook: fc.record({ url: text(), payloadJson: fc.oneof(text(), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))) }),
  },
  { requiredKeys: ['notificationId', 'accountId', 'type', 'channel', 'source', 'createdAtMicros', 'expiresAtMicros'] },
);

const NOW_MICROS = BigInt(new FakeClock().now) * 1000n;

/** A notification the validator accepts, for the EMAIL channel, not expired at FakeClock's now. */
export const validEmailNotification: fc.Arbitrary<Notification> = fc.record({
  notificationId: identifier,
  accountId: fc.oneof(fc.constant(''), identifier),
  type: identifier,
  channel: fc.constant<number>(CHANNELS.EMAIL),
  source: fc.oneof(fc.constant(''), identifier),
  createdAtMicros: fc.bigInt({ min: 0n, max: MAX_TIMESTAMP_MICROS }),
  expiresAtMicros: fc.oneof(fc.constant(0n), fc.bigInt({ min: NOW_MICROS + 1n, max: MAX_TIMESTAMP_MICROS })),
  email: fc
    .record({
      to: fc.emailAddress().filter((a) => a.length <= 254 && /^[^\s@<>(),;:"\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(a)),
      subject: text().filter((s) => s.length > 0 && !/[\r\n]/.test(s)),
      text: text(),
      html: text(),
    })
    .filter((e) => e.text !== '' || e.html !== ''),
});

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const nonEmpty = (max: number) => text().filter((s) => s.length > 0 && s.length <= max);

/** Each other channel with a payload the validator accepts. */
const validPayloads: fc.Arbitrary<Partial<Notification>> = fc.oneof(
  fc.record({
    channel: fc.constant<number>(CHANNELS.SMS),
    sms: fc.record({ to: fc.integer({ min: 1_000_000, max: 999_999_999 }).map((d) => `+81${d}`), body: nonEmpty(1600) }),
  }),
  fc.record({
    channel: fc.constant<number>(CHANNELS.PUSH),
    push: fc.record({
      deviceToken: fc.string({ unit: fc.constantFrom(...'abcXYZ019:_-'), minLength: 1, maxLength: 64 }),
      title: nonEmpty(100),
      body: text(),
      data: fc.dictionary(fc.string({ unit: fc.constantFrom(...'abkeyz_'), minLength: 1, maxLength: 8 }).filter((k) => !/^(google|gcm|from|message_type|notification)/i.test(k)), text(), { maxKeys: 4 }),
    }),
  }),
  fc.record({ channel: fc.constant<number>(CHANNELS.SLACK), slack: fc.record({ channel: fc.constantFrom('', '#alerts', 'C0123456789'), text: nonEmpty(40000) }) }),
  fc.record({ channel: fc.constant<number>(CHANNELS.LINE), line: fc.record({ to: hex(32).map((h) => `U${h}`), text: nonEmpty(5000) }) }),
  fc.record({
    channel: fc.constant<number>(CHANNELS.WEBHOOK),
    webhook: fc.record({ url: fc.webUrl({ withQueryParameters: true }).filter((u) => u.length <= 2048), payloadJson: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) }),
  }),
);

/** A valid notification for any channel but email. */
export const validOtherChannelNotification: fc.Arbitrary<Notification> = fc
  .tuple(validEmailNotification, validPayloads)
  .map(([n, payload]) => ({ ...n, email: undefined, ...payload }))
  .map(({ email: _email, ...n }) => n as Notification);

/**
 * A JSON text fragment nested up to `maxDepth` levels deep (arrays or objects). A
 * recursive walk overflows the stack somewhere in the low thousands.
 */
export const deepJson = (maxDepth = 20_000) =>
  fc
    .tuple(fc.integer({ min: 1, max: maxDepth }), fc.boolean())
    .map(([depth, arrays]) => (arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));

/** Values of the wrong type, out of range, or merely odd, as JSON text. */
export const garbageJson: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: 'binary' }).map((v) => JSON.stringify(v)), weight: 4 },
  { arbitrary: deepJson(8_000), weight: 1 },
  fc.constantFrom(
    'null', 'true', '0', '-0', '1e300', '-1e300', '1.5', '4294967296', '9223372036854775808',
    '-9223372036854775809', '18446744073709551616', '1e21', '123456789012345678901234567890',
  ),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e3', ' 1', '0x10', '', '-', '007', '-0', '١٢', 'EMAIL ', 'email', 'SMS', 'CHANNEL_UNSPECIFIED', 'toString', '__proto__', 'constructor', 'hasOwnProperty').map((s) => JSON.stringify(s)),
  fc.tuple(fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }), fc.boolean()).map(([n, quoted]) => (quoted ? JSON.stringify(String(n)) : String(n))),
);

/** A plausible value for a field, as JSON text: right type (mostly), right name. */
const plausibleJson = (n: Notification): Record<string, string> => ({
  notification_id: JSON.stringify(n.notificationId),
  account_id: JSON.stringify(n.accountId),
  type: JSON.stringify(n.type),
  channel: String(n.channel),
  source: JSON.stringify(n.source),
  created_at_micros: JSON.stringify(n.createdAtMicros.toString()),
  expires_at_micros: JSON.stringify(n.expiresAtMicros.toString()),
  email: n.email ? JSON.stringify(n.email) : '{}',
});

const FIELD_NAMES = Object.keys(plausibleJson(
  { notificationId: '', accountId: '', type: '', channel: 0, source: '', createdAtMicros: 0n, expiresAtMicros: 0n },
));
const camel = (name: string) => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

/** `{"k":v,…}` from JSON-text values; keeps own `__proto__` keys and duplicates. */
export const objectText = (entries: ReadonlyArray<readonly [string, string]>) =>
  `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

/**
 * JSON text shaped like a notification: fields under camelCase or snake_case names, each
 * either plausible or garbage, plus prototype-named and unknown keys, in any order.
 */
export const notificationLikeJson: fc.Arbitrary<JsonText> = fc
  .tuple(
    anyNotification,
    fc.array(
      fc.record({
        field: fc.constantFrom(...FIELD_NAMES),
        camelCase: fc.boolean(),
        garbage: fc.option(garbageJson, { freq: 2 }),
      }),
      { maxLength: 12 },
    ),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), text(8)), garbageJson), { maxLength: 3 }),
    fc.option(fc.array(fc.tuple(fc.constantFrom('to', 'subject', 'text', 'html', '__proto__'), garbageJson), { maxLength: 5 })),
  )
  .map(([n, fields, extra, emailGarbage]) => {
    const plausible = plausibleJson(n);
    const entries: [string, string][] = fields.map(({ field, camelCase, garbage }) => [
      camelCase ? camel(field) : field,
      garbage ?? plausible[field]!,
    ]);
    if (emailGarbage) entries.push(['email', objectText(emailGarbage)]);
    return new JsonText(objectText([...entries, ...extra]));
  });

/** Bytes that look like protobuf: valid tags for our field numbers, any wire type, odd payloads. */
export const protobufLikeBytes: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.tuple(
      fc.integer({ min: 0, max: 16 }),
      fc.integer({ min: 0, max: 7 }),
      fc.oneof(
        fc.uint8Array({ maxLength: 12 }),
        fc.integer({ min: 0, max: 200 }).map((len) => Uint8Array.of(len)),
        fc.constant(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)),
      ),
    ),
    { maxLength: 10 },
  )
  .map((fields) => Buffer.concat(fields.map(([field, wire, payload]) => Buffer.concat([varint((field << 3) | wire), payload]))));

function varint(value: number): Buffer {
  const bytes: number[] = [];
  let v = value >>> 0;
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  bytes.push(v);
  return Buffer.from(bytes);
}
