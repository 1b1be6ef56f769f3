import fc from 'fast-check';
import type { Encoding } from '../../src/codec/codec';
import { CHANNELS, Notification } from '../../src/codec/notification';
import { RecipientChannel, RECIPIENT_CHECKS } from '../../src/codec/payload-checks';
import { MAX_TIMESTAMP_MICROS, validateNotification } from '../../src/codec/validate';
import { HttpStub, startHttpStub, StubAnswer } from '../support/http-stub';
import { emailNotification, push, pushEnvelope } from '../support/notifications';
import { ChildNotifier, eventually, notifierEnv, spawnNotifier } from '../support/notifier';
import { fcmError, FcmStandIn, MetadataStandIn, startFcmStandIn, startMetadataStandIn } from '../support/providers/fcm';
import { LINE_ACCESS_TOKEN, lineError, LineStandIn, startLine } from '../support/providers/line';
import { apiError, SLACK_BOT_TOKEN, SlackStandIn, startSlackStandIn, WEBHOOK_PATH, webhookError } from '../support/providers/slack';
import { startTwilio, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM, twilioError, TwilioStandIn } from '../support/providers/twilio';
import { RealParts, startRealParts } from '../support/real-parts';
import { deepJson, objectText, validEmailNotification } from './arbitraries';
import { PUSH_LIMITS, isReservedFcmKey } from '../../src/channels/push/message';
import { WEBHOOK_LIMITS } from '../../src/channels/webhook/message';
import { EMAIL_LIMITS } from '../../src/channels/email/message';
import { SMS_LIMITS } from '../../src/channels/sms/message';
import { SLACK_LIMITS } from '../../src/channels/slack/message';
import { LINE_LIMITS } from '../../src/channels/line/message';

/**
 * Every channel adapter, in the notifier as its own process (node dist/main.js), under
 * arbitrary valid notifications with hostile values, against real local stand-ins that
 * accept, answer with a permanent error from the channel's outcome table, or with a
 * transient one. Rate limits are off, breakers disabled and no answer carries Retry-After,
 * so each push's status follows from the stand-in's answer alone.
 */

const FCM_PROJECT = 'notifier-fuzz-push';
const FCM_TOKEN = 'ya29.metadata-issued-fuzz-token';
const RUNS = 30;

let parts: RealParts;
let twilio: TwilioStandIn;
let metadata: MetadataStandIn;
let fcm: FcmStandIn;
let line: LineStandIn;
let slack: SlackStandIn;
let receiver: HttpStub;
let notifier: ChildNotifier;
let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
/** Set once the process is seen dead or crashing: later runs would only report the death again. */
let death: string | undefined;

beforeAll(async () => {
  [parts, twilio, metadata, line, slack, receiver] = await Promise.all([
    startRealParts(), startTwilio(), startMetadataStandIn(FCM_TOKEN), startLine(), startSlackStandIn(), startHttpStub(),
  ]);
  fcm = await startFcmStandIn({ projectId: FCM_PROJECT, accessToken: FCM_TOKEN });
  notifier = await spawnNotifier(notifierEnv(parts, {
    TWILIO_BASE_URL: twilio.url, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM,
    FCM_PROJECT_ID: FCM_PROJECT, FCM_BASE_URL: fcm.url, GCE_METADATA_HOST: metadata.host, METADATA_SERVER_DETECTION: 'assume-present',
    LINE_BASE_URL: line.url, LINE_CHANNEL_ACCESS_TOKEN: LINE_ACCESS_TOKEN,
    SLACK_BASE_URL: slack.apiUrl, SLACK_BOT_TOKEN, SLACK_WEBHOOK_URL: slack.webhookUrl,
    // The receiver is on 127.0.0.1: the destination guard must allow private networks (non-production only).
    WEBHOOK_SIGNING_SECRET: 'whsec-fuzz-0123456789abcdef0123456789', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    ...Object.fromEntries(['EMAIL', 'SMS', 'PUSH', 'SLACK', 'LINE', 'WEBHOOK'].map((c) => [`${c}_RATE_LIMIT`, '0'])),
    BREAKER_FAILURES: '0',
  }));
  void notifier.exited.then((e) => (exit = e));
}, 60000);

afterAll(async () => {
  if (notifier?.child.exitCode === null) notifier.child.kill('SIGKILL');
  await Promise.all([twilio?.close(), metadata?.close(), fcm?.close(), line?.close(), slack?.close(), receiver?.close()]);
  await parts?.close();
});

function expectStillRunning(): void {
  const stderr = notifier.stderr();
  if (exit || stderr) death ??= `exit ${JSON.stringify(exit)}; stderr: ${stderr}`;
  expect({ exit, stderr }).toEqual({ exit: undefined, stderr: '' });
}

// ---- hostile but valid values ----

const ODD = ['\r', '\n', '\r\n', '\u2028', '\u0085', '\u0000', '\t', '😀', '👩‍👩‍👧', '注文', 'é\u0301', '\u202e', '\ufeff', '%', '%zz', '&=+', '<b>', '"\\', '{}', ' '];

/** At most `maxUnits` UTF-16 units and `maxBytes` UTF-8 bytes, never ending in half a surrogate pair. */
function cut(s: string, maxUnits: number, maxBytes = Infinity): string {
  let t = s.slice(0, maxUnits);
  while (Buffer.byteLength(t) > maxBytes) t = t.slice(0, Math.floor((t.length * maxBytes) / Buffer.byteLength(t)));
  return t.replace(/[\uD800-\uDBFF]$/, '');
}

/** Non-empty text of line breaks, emoji, NUL, RTL overrides and any Unicode; sometimes padded to exactly the limit. */
const hostileText = (maxUnits: number, maxBytes = Infinity) =>
  fc
    .tuple(
      fc.array(fc.oneof(fc.constantFrom(...ODD), fc.string({ unit: 'binary', maxLength: 20 })), { maxLength: 20 }),
      fc.option(fc.constantFrom('x', '😀', '注', '\r\n'), { freq: 3 }),
    )
    .map(([fragments, pad]) => {
      const s = fragments.join('') + (pad ? pad.repeat(Math.ceil(Math.min(maxUnits, maxBytes) / pad.length) + 1) : '');
      return cut(s, maxUnits, maxBytes) || 'x';
    });

/** Unicode, `%` and spaces inside; each run appends a sequence number (the ledger would dedupe a reused ID). */
const notificationIdPrefix = fc
  .oneof(fc.constantFrom('注文-42', '100%', '%25', '😀', 'a b', '\u202eevil', 'Ω≈ç√'), fc.string({ unit: 'grapheme', maxLength: 30 }))
  .map((s) => cut(s.replace(/[\u0000-\u001f\u007f]/g, ''), 100).trim());

/** Mostly addresses an SMTP server takes (Unicode, `+`, `'`); some it refuses at RCPT TO (dots, controls, `-.-`). */
const localPart = (units: string[]) => fc.array(fc.constantFrom(...units), { minLength: 1, maxLength: 64 }).map((u) => u.join(''));
const emailAddress = fc
  .oneof(
    { weight: 3, arbitrary: fc.tuple(localPart([...'aZ0+_-=\'é注', '😀']), fc.constantFrom('example.com', 'xn--r8jz45g.jp', 'A.B.C.D.EXAMPLE')) },
    { weight: 1, arbitrary: fc.tuple(localPart([...'aZ0.+%!#$&\'*/=?^_`{|}~-[]', '\u0001', '\u007f', '\u0085']), fc.constantFrom('example.com', '-.-')) },
  )
  .map(([local, domain]) => `${local}@${domain}`)
  .filter((a) => RECIPIENT_CHECKS.EMAIL(a) === undefined);

const fcmDataKey = fc
  .oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'a.b', '键', '😀', 'k e y'), fc.string({ unit: 'binary', minLength: 1, maxLength: 10 }))
  .filter((k) => !isReservedFcmKey(k));

/** Title, data and body within FCM's bytes: data entries dropped until they fit, the body gets what is left. */
function fitPush(p: { deviceToken: string; title: string; body: string; data: Record<string, string> }) {
  const bytes = (...s: string[]) => s.reduce((sum, x) => sum + Buffer.byteLength(x), 0);
  const title = cut(p.title, Infinity, 1024);
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.data)) {
    // defineProperty: an own `__proto__` key stays a key (assignment would set the prototype).
    if (bytes(title, ...Object.entries(data).flat(), k, v) <= PUSH_LIMITS.payloadBytes) Object.defineProperty(data, k, { value: v, enumerable: true });
  }
  return { ...p, title, data, body: cut(p.body, Infinity, PUSH_LIMITS.payloadBytes - bytes(title, ...Object.entries(data).flat())) };
}

/** Payload JSON: odd keys and values, own `__proto__` and duplicate keys, nesting up to the depth limit, or exactly the size limit. */
const webhookPayloadJson = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 5, stringUnit: 'binary' }).map((v) => JSON.stringify(v)) },
  { weight: 2, arbitrary: fc.array(fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', '', '😀', '\u0000', 'a'), fc.string({ maxLength: 8 })), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v))), { maxLength: 8 }).map(objectText) },
  { weight: 2, arbitrary: deepJson(WEBHOOK_LIMITS.payloadDepth) },
  { weight: 1, arbitrary: hostileText(2000).map((t) => {
    const head = `{"blob":${JSON.stringify(t)},"pad":"`;
    return `${head}${'x'.repeat(WEBHOOK_LIMITS.payloadBytes - Buffer.byteLength(head) - 2)}"}`;
  }) },
);

const webhookPath = fc
  .tuple(fc.array(fc.oneof(fc.constantFrom('注文', '%', '%2F', '%zz', '..', '😀', 'a b', '?', '&', '=', '#', '@', ':', '\\'), fc.string({ unit: 'binary', maxLength: 8 })), { maxLength: 20 }), fc.boolean())
  .map(([segments, long]) => `/${segments.join('/')}${long ? '~'.repeat(WEBHOOK_LIMITS.urlLength) : ''}`);

// ---- each channel: its payloads, and its stand-in's answers from the outcome tables ----

type Fault = 'accept' | 'permanent' | 'transient';

interface ChannelUnderFuzz<A> {
  payload: fc.Arbitrary<Partial<Notification>>;
  answers: Record<Exclude<Fault, 'accept'>, readonly A[]>;
  /** The stand-in answers well-formed requests with `answer` (undefined: accepts) and calls `reached`. */
  steer(answer: A | undefined, reached: () => void): void;
  /** Requests the stand-in found malformed. */
  problems(): string[];
}
const under = <A>(c: ChannelUnderFuzz<A>) => c as ChannelUnderFuzz<unknown>;

const CHANNELS_UNDER_FUZZ: Record<RecipientChannel, ChannelUnderFuzz<unknown>> = {
  EMAIL: under<number>({
    payload: fc.record({ email: fc.record({
      to: emailAddress,
      subject: hostileText(300).map((s) => s.replace(/[\r\n]/g, ' ')),
      text: hostileText(EMAIL_LIMITS.bodyBytes, EMAIL_LIMITS.bodyBytes),
      html: fc.oneof(fc.constant(''), hostileText(EMAIL_LIMITS.bodyBytes, EMAIL_LIMITS.bodyBytes)),
    }) }),
    answers: { permanent: [550, 552, 554], transient: [450, 451, 452] },
    steer: (code, reached) => (parts.smtp.onData = () => (reached(), code ? { kind: 'reply', code } : { kind: 'accept' })),
    problems: () => [],
  }),
  SMS: under<StubAnswer>({
    payload: fc.record({ sms: fc.record({ to: fc.stringMatching(/^\+[1-9]\d{6,14}$/), body: hostileText(SMS_LIMITS.body) }) }),
    answers: {
      permanent: [twilioError(400, 21211), twilioError(400, 21610), twilioError(400, 21408), twilioError(401, 20003), twilioError(404, 20404), twilioError(400, 21617)],
      transient: [twilioError(429, 20429), { status: 500 }, { status: 503, body: '<html>busy</html>' }],
    },
    steer: (answer, reached) => (twilio.behave = () => (reached(), answer ? { kind: 'answer', answer } : { kind: 'accept' })),
    problems: () => twilio.problems,
  }),
  PUSH: under<StubAnswer>({
    payload: fc.record({ push: fc.record({
      deviceToken: fc.tuple(fc.string({ unit: fc.constantFrom(...'aZ09:_-%/?#&=+.', '注', '😀'), minLength: 1, maxLength: 200 }), fc.boolean())
        .map(([t, long]) => (long ? cut(t.repeat(PUSH_LIMITS.tokenLength), PUSH_LIMITS.tokenLength) : t)),
      title: hostileText(2000),
      body: fc.oneof(fc.constant(''), hostileText(PUSH_LIMITS.payloadBytes)),
      data: fc.dictionary(fcmDataKey, fc.oneof(fc.constant(''), hostileText(40)), { maxKeys: 120 }),
    }).map(fitPush) }),
    answers: {
      permanent: [fcmError(404, 'UNREGISTERED'), fcmError(400, 'INVALID_ARGUMENT'), fcmError(403, 'SENDER_ID_MISMATCH'), fcmError(401, 'THIRD_PARTY_AUTH_ERROR'), fcmError(401)],
      transient: [fcmError(503, 'UNAVAILABLE'), fcmError(500, 'INTERNAL'), fcmError(429, 'QUOTA_EXCEEDED'), { status: 502, body: '<html>bad gateway</html>' }],
    },
    steer: (answer, reached) => (fcm.answer = () => (reached(), answer)),
    problems: () => [...fcm.problems, ...metadata.problems],
  }),
  SLACK: under<[api: StubAnswer, hook: StubAnswer]>({
    payload: fc.record({ slack: fc.record({
      channel: fc.oneof(fc.constant(''), fc.stringMatching(/^#?[a-z0-9][a-z0-9._-]{0,79}$/), fc.stringMatching(/^[CGDU][A-Z0-9]{8,20}$/)),
      text: hostileText(SLACK_LIMITS.text),
    }) }),
    answers: {
      permanent: [
        [apiError('channel_not_found'), webhookError('channel_not_found')], [apiError('is_archived'), webhookError('channel_is_archived')],
        [apiError('not_in_channel'), webhookError('action_prohibited')], [apiError('invalid_auth'), webhookError('no_service')],
        [apiError('msg_too_long'), webhookError('invalid_payload')],
      ],
      transient: [[apiError('service_unavailable'), webhookError('rollup_error')], [apiError('ratelimited', 429), { status: 503 }], [apiError('request_timeout'), { status: 500 }]],
    },
    steer: (answer, reached) => (slack.answer = (req) => (reached(), answer?.[req.path === WEBHOOK_PATH ? 1 : 0])),
    problems: () => slack.problems,
  }),
  LINE: under<StubAnswer>({
    payload: fc.record({ line: fc.record({ to: fc.stringMatching(/^[UCR][0-9a-f]{32}$/), text: hostileText(LINE_LIMITS.text) }) }),
    answers: { permanent: [400, 401, 403, 404, 410, 413].map((s) => lineError(s)), transient: [lineError(429), lineError(500), { status: 503 }] },
    steer: (answer, reached) => (line.behave = () => (reached(), answer ? { kind: 'answer', answer } : { kind: 'accept' })),
    problems: () => line.problems,
  }),
  WEBHOOK: under<StubAnswer>({
    payload: fc.record({ webhook: fc.record({
      url: webhookPath.map((path) => cut(`${receiver.url}${path}`, WEBHOOK_LIMITS.urlLength)),
      payloadJson: webhookPayloadJson,
    }) }),
    answers: {
      permanent: [{ status: 400 }, { status: 404 }, { status: 410 }, { status: 422 }, { status: 308, headers: { location: 'http://169.254.169.254/' } }],
      transient: [500, 502, 503, 504, 408, 425, 429].map((status) => ({ status })),
    },
    steer: (answer, reached) => (receiver.respond = () => (reached(), answer ?? { status: 204, headers: { 'x-request-id': 'rcv-1' } })),
    problems: () => [],
  }),
};

const LEDGER_STATUS: Record<Fault, string> = { accept: 'sent', permanent: 'failed', transient: 'pending' };

/**
 * The push's status and ledger row by the stand-in's answer. A request that never reached
 * it was refused on the way (the adapter, or the SMTP server at RCPT TO): that is permanent.
 */
const expected = (reached: boolean, fault: Fault) =>
  reached ? { status: fault === 'transient' ? 503 : 204, ledger: LEDGER_STATUS[fault] } : { status: 204, ledger: 'failed' };

/** A valid notification for `channel` with a hostile payload; its ID is a prefix the run makes fresh. Never expired. */
const notificationFor = (channel: RecipientChannel) =>
  fc.tuple(validEmailNotification, notificationIdPrefix, CHANNELS_UNDER_FUZZ[channel].payload, fc.boolean()).map(([base, prefix, payload, expires]) => {
    const { email: _email, ...rest } = base;
    return { ...rest, ...payload, channel: CHANNELS[channel], notificationId: prefix, expiresAtMicros: expires ? MAX_TIMESTAMP_MICROS : 0n } as Notification;
  });

let seq = 0;

const provider = fc.record({
  fault: fc.constantFrom<Fault>('accept', 'permanent', 'transient'),
  pick: fc.nat(),
  encoding: fc.constantFrom<Encoding>('JSON', 'BINARY'),
});

describe.each(Object.keys(CHANNELS_UNDER_FUZZ) as RecipientChannel[])('the %s adapter in node dist/main.js', (channel) => {
  const fuzz = CHANNELS_UNDER_FUZZ[channel];

  test('when arbitrary valid notifications meet acceptance, permanent or transient provider answers, then each push is 204 unless the provider answered transiently (then 503), the ledger agrees, and the process neither exits nor writes to stderr', async () => {
    expect(death).toBeUndefined();
    let reachedRuns = 0;
    await fc.assert(fc.asyncProperty(notificationFor(channel), provider, async (generated, { fault, pick, encoding }) => {
      fc.pre(death === undefined);
      // Fresh here, not in the arbitrary: fast-check hands a generated value to several runs while shrinking.
      const n = { ...generated, notificationId: `${generated.notificationId}-${++seq}` };
      const messageId = `fuzz-${seq}`;
      expect(validateNotification(n)).toEqual([]);
      const answers = fault === 'accept' ? [] : fuzz.answers[fault];
      let reached = false;
      fuzz.steer(answers[pick % answers.length], () => (reached = true));
      const status = await push(notifier.url, pushEnvelope(n, { encoding, messageId })).catch(async (err: unknown) => {
        await Promise.race([notifier.exited, new Promise((r) => setTimeout(r, 1000))]);
        expectStillRunning();
        throw err;
      });
      expectStillRunning();
      reachedRuns += reached ? 1 : 0;
      const row = await parts.db.row(n.notificationId, channel);
      const log = notifier.logs.find((l) => l.messageId === messageId && l.message.startsWith('delivery '));
      try {
        expect({ status, ledger: row?.status, problems: fuzz.problems() }).toEqual({ ...expected(reached, fault), problems: [] });
      } catch (err) {
        throw new Error(`${(err as Error).message}\nreached the stand-in: ${reached}; the notifier logged: ${JSON.stringify(log)}`);
      }
    }), { numRuns: RUNS });
    // Most runs must get past the adapter to the stand-in, or the answers above were never tried.
    expect(reachedRuns).toBeGreaterThanOrEqual(RUNS / 2);
  });
});

describe('after every adapter was fuzzed', () => {
  test('when the fuzzing is over, then the same process is live and still sends an ordinary email', async () => {
    parts.smtp.onData = () => ({ kind: 'accept' });
    expectStillRunning();
    expect((await fetch(`${notifier.url}/healthz`)).status).toBe(200);
    const n = emailNotification();
    expect(await push(notifier.url, pushEnvelope(n))).toBe(204);
    await eventually('the mail at the SMTP sink', () => parts.smtp.mailsFor(n.notificationId).length === 1 || undefined);
    expectStillRunning();
  });
});
