import fc from 'fast-check';
import { CHANNELS, Notification } from '../../src/codec/notification';
import { LIMITS } from '../../src/codec/payload-checks';
import { validateNotification } from '../../src/codec/validate';
import type { Contact } from '../../src/delivery/ports';
import { routeToContacts } from '../../src/delivery/routing';
import { aNotification } from '../unit/fakes';
import { isReservedFcmKey } from '../../src/channels/push/message';

/**
 * Routed rendering on arbitrary valid content: every per-contact message it makes passes the
 * same validation the producer's notification did, on every channel, and no text is left
 * with half a character (a lone surrogate) by cutting it to a channel's limit.
 */
const contacts: Contact[] = [
  { channel: 'EMAIL', address: 'alice@example.com' },
  { channel: 'SMS', address: '+819012345678' },
  { channel: 'PUSH', address: 'device-token-1' },
  { channel: 'SLACK', address: 'U0123ABCDE' },
  { channel: 'LINE', address: `U${'a'.repeat(32)}` },
  { channel: 'WEBHOOK', address: 'https://hooks.example.com/alice' },
];

/** Text with line breaks of every kind, astral characters (surrogate pairs) and plain runs, up to `max` UTF-16 units. */
const text = (max: number) =>
  fc
    .array(fc.oneof(fc.constantFrom('\r', '\n', '\r\n', '😀', '注', 'x'.repeat(97), ' '), fc.string({ unit: 'binary', maxLength: 40 })), { maxLength: 200 })
    .map((parts) => parts.join(''))
    .map((s) => (s.length > max ? s.slice(0, max) : s))
    .filter((s) => !/[\uD800-\uDBFF]$/.test(s));

const content = fc.record({
  title: text(LIMITS.contentTitle),
  body: text(LIMITS.contentBody),
  url: fc.constantFrom('', 'https://shop.example/o/42'),
  data: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !isReservedFcmKey(k)), text(300), { maxKeys: LIMITS.contentDataEntries, size: 'max' }),
});

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Every string inside a value. */
const stringsOf = (v: unknown): string[] =>
  typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v).flatMap(stringsOf) : [];

test('when any valid routed content is rendered for every channel, then every message is valid and no text holds half a character', () => {
  fc.assert(
    fc.property(content, (c) => {
      const n: Notification = aNotification({ channel: CHANNELS.CHANNEL_UNSPECIFIED, email: undefined, content: c });
      fc.pre(validateNotification(n).length === 0);
      for (const { notification } of routeToContacts(n, contacts, () => true)) {
        expect(validateNotification(notification)).toEqual([]);
        expect(stringsOf(notification).filter((s) => LONE_SURROGATE.test(s))).toEqual([]);
      }
    }),
    { numRuns: 400 },
  );
});
