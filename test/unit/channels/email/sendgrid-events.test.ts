import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import {
  normalizeMessageId,
  outcomesByMessage,
  reasonCode,
  sendGridOutcome,
  signSendGridEvents,
  verifySendGridSignature,
} from '../../../../src/channels/email/sendgrid-events';
import { sendGridKeys, sendGridSignatureOf } from '../../../support/providers/callbacks';

const MID = '<14c5d75ce93.dfd.64b469@ismtpd-555>';
const event = (name: string, extra: Record<string, unknown> = {}) => ({ email: 'example@test.com', timestamp: 1513299569, 'smtp-id': MID, event: name, sg_event_id: `id-${name}`, sg_message_id: 'sg', ...extra });

describe('verifySendGridSignature: the Signed Event Webhook', () => {
  const keys = sendGridKeys();
  const publicKey = createPublicKey({ key: Buffer.from(keys.publicKeyBase64, 'base64'), format: 'der', type: 'spki' });
  const body = Buffer.from(JSON.stringify([event('delivered')]));

  test('when the body and timestamp are signed as SendGrid signs them, then the signature verifies', () => {
    expect(verifySendGridSignature(publicKey, sendGridSignatureOf(keys.privateKey, '1600000000', body), '1600000000', body)).toBe(true);
  });

  test('when the local mail side signs, then the signature verifies as SendGrid\'s would', () => {
    expect(verifySendGridSignature(publicKey, signSendGridEvents(keys.privateKey, '1600000000', body), '1600000000', body)).toBe(true);
  });

  test.each([
    ['another timestamp', '1600000001', body],
    ['a body with one byte more', '1600000000', Buffer.concat([body, Buffer.from(' ')])],
  ])('when the request carries %s, then it does not verify', (_what, timestamp, sent) => {
    expect(verifySendGridSignature(publicKey, sendGridSignatureOf(keys.privateKey, '1600000000', body), timestamp, sent)).toBe(false);
  });

  test('when the signature is empty, garbage or from another key, then it does not verify', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    expect(verifySendGridSignature(publicKey, '', '1600000000', body)).toBe(false);
    expect(verifySendGridSignature(publicKey, 'not base64 DER', '1600000000', body)).toBe(false);
    expect(verifySendGridSignature(publicKey, sendGridSignatureOf(other, '1600000000', body), '1600000000', body)).toBe(false);
  });
});

describe('sendGridOutcome: events → reports and suppressions', () => {
  test.each<[string, Record<string, unknown>, Record<string, unknown>]>([
    ['delivered', {}, { event: 'delivered' }],
    ['bounce', { type: 'bounce' }, { event: 'bounced', code: 'bounce', suppress: { address: 'example@test.com', reason: 'hard_bounce' } }],
    ['bounce', {}, { event: 'bounced', code: 'bounce', suppress: { address: 'example@test.com', reason: 'hard_bounce' } }],
    ['bounce', { type: 'blocked' }, { event: 'bounced', code: 'blocked' }],
    ['dropped', { reason: 'Unsubscribed Address' }, { event: 'undelivered', code: 'Unsubscribed Address' }],
    ['spamreport', {}, { event: 'complained', suppress: { address: 'example@test.com', reason: 'complaint' } }],
  ])('when the event is %s %j, then it reports %j on the message', (name, extra, expected) => {
    expect(sendGridOutcome(event(name, extra))).toEqual({
      kind: 'report',
      report: { channel: 'EMAIL', providerMessageId: MID, reportId: `id-${name}`, source: 'sendgrid', ...expected },
    });
  });

  test.each(['processed', 'deferred', 'open', 'click', 'unsubscribe', 'group_unsubscribe', 'group_resubscribe', 'something_new'])('when the event is %s, then it is ignored', (name) => {
    expect(sendGridOutcome(event(name))).toEqual({ kind: 'ignored' });
  });

  test('when a hard bounce has no smtp-id, then only the suppression remains', () => {
    const { 'smtp-id': _none, ...e } = event('bounce', { type: 'bounce' });
    expect(sendGridOutcome(e)).toEqual({ kind: 'suppress', address: 'example@test.com', reason: 'hard_bounce' });
    const { 'smtp-id': _also, ...delivered } = event('delivered');
    expect(sendGridOutcome(delivered)).toEqual({ kind: 'ignored' });
  });

  test('when an event has no sg_event_id, then its report ID is the message and the event', () => {
    const { sg_event_id: _none, ...e } = event('delivered');
    expect(sendGridOutcome(e)).toMatchObject({ report: { reportId: `${MID}:delivered` } });
  });

  test('when a batch names messages several times, then each message keeps its events in order and ignored ones are left out', () => {
    const batch = [event('delivered'), event('open'), event('delivered', { 'smtp-id': '<b@h>' }), event('spamreport')].map(sendGridOutcome);
    const groups = outcomesByMessage(batch);
    expect(groups.map((g) => g.map((o) => (o.kind === 'report' ? `${o.report.providerMessageId} ${o.report.event}` : o.kind)))).toEqual([
      [`${MID} delivered`, `${MID} complained`],
      ['<b@h> delivered'],
    ]);
  });
});

describe('normalizeMessageId and reasonCode', () => {
  test.each([
    [MID, MID],
    [' <a@b> ', '<a@b>'],
    ['a@b', '<a@b>'],
    ['<a@b', '<a@b>'],
  ])('when smtp-id is %j, then the ledger key is %j', (given, expected) => {
    expect(normalizeMessageId(given)).toBe(expected);
  });

  test('when a dropped reason quotes an address and runs long, then the code has no address and at most 64 characters', () => {
    const code = reasonCode(`Bounced Address <someone@example.com> was dropped because ${'of many reasons '.repeat(10)}`);
    expect(code).not.toContain('@');
    expect(code.length).toBeLessThanOrEqual(64);
    expect(code.startsWith('Bounced Address <[address]> was dropped')).toBe(true);
  });
});
