import { RELEASE_OF_ATTRIBUTE } from '../../../src/codec/attributes';
import { CHANNELS, Notification } from '../../../src/codec/notification';
import { makeDeliver } from '../../../src/delivery/deliver';
import type { Channel } from '../../../src/delivery/ports';
import { TEMPLATES_DIR } from '../../../src/paths';
import { loadCatalogue } from '../../../src/templates';
import { aMessage, aNotification, FakeAccounts, FakeChannel, FakeClock, FakeDeadLetters, FakeGates, FakeLedger, FakePublisher, IN_FLIGHT_MS } from '../fakes';

/** A templated notification against the ledger's states, with the shipped catalogue (order.shipped has version 1 only). */
const NIGHT = Date.parse('2026-12-04T14:00:00Z'); // 23:00 in Tokyo
const DAY = Date.parse('2026-12-05T03:00:00Z'); // 12:00 in Tokyo
const TOKYO_NIGHTS = { timeZone: 'Asia/Tokyo', startMinute: 22 * 60, endMinute: 7 * 60 };
const VALID = { customerName: 'Hanako', orderId: 'A-1', shippedAt: '2026-12-07T15:30:00Z', total: { amount: 12800, currency: 'JPY' }, items: ['Notebook'] };
const { orderId: _omitted, ...INVALID } = VALID;
const catalogue = loadCatalogue(TEMPLATES_DIR);

function world(now = DAY) {
  const ledger = new FakeLedger();
  const email = new FakeChannel('EMAIL');
  const deadLetters = new FakeDeadLetters();
  const clock = new FakeClock(now);
  const accounts = new FakeAccounts();
  Object.assign(ledger, { clock, accounts });
  const deliver = makeDeliver({
    ledger,
    channels: new Map<number, Channel>([[CHANNELS.EMAIL, email]]),
    gates: new FakeGates(),
    accounts,
    publisher: new FakePublisher(),
    mandatoryTypes: [],
    deadLetters,
    clock,
    defaultEncoding: 'JSON',
    maxAttempts: 5,
    maxReplays: 3,
    resendSafeTypes: new Set(),
    inFlightMs: IN_FLIGHT_MS,
    templates: catalogue,
  });
  return { deliver, ledger, email, deadLetters, clock, accounts };
}

const templated = (data: unknown, version = 0): Notification =>
  aNotification({ email: { to: 'alice@example.com', subject: '', text: '', html: '' }, template: { id: 'order.shipped', version, dataJson: JSON.stringify(data) } });

describe('deliver: a templated notification and the ledger', () => {
  test('when it is sent, then the channel gets the rendering in the account’s locale and the row records which one', async () => {
    const w = world();
    w.accounts.policies.set('acct-1', { locale: 'ja-JP', timeZone: 'Asia/Tokyo', rules: [] });
    expect(await w.deliver(aMessage(templated(VALID)))).toMatchObject({ outcome: 'sent', template: expect.stringMatching(/^order\.shipped@1\/ja\//) });
    expect(w.email.sent[0]!.email).toMatchObject({ to: 'alice@example.com', subject: expect.stringContaining('A-1') });
    expect(w.email.sent[0]!.template).toBeUndefined();
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'sent', template: expect.stringMatching(/^order\.shipped@1\/ja\/[0-9a-f]{12}$/) });
  });

  test('when its data is bad and it arrives in quiet hours, then it is dead-lettered on this first delivery and recorded failed; a copy is a duplicate', async () => {
    const w = world(NIGHT);
    w.accounts.policies.set('acct-1', { rules: [], quietHours: TOKYO_NIGHTS });
    const msg = aMessage(templated(INVALID), 'JSON', 'm-1');
    expect(await w.deliver(msg)).toMatchObject({ outcome: 'dead_lettered', code: 'TEMPLATE_DATA_INVALID', error: expect.stringContaining('orderId') });
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'failed', failureCode: 'TEMPLATE_DATA_INVALID' });
    expect(await w.deliver(msg)).toMatchObject({ outcome: 'duplicate' });
    expect(w.deadLetters.deadLettered).toHaveLength(1);
  });

  test('when good data arrives in quiet hours, then it is held unrendered, and rendered at its release', async () => {
    const w = world(NIGHT);
    w.accounts.policies.set('acct-1', { rules: [], quietHours: TOKYO_NIGHTS });
    const original = aMessage(templated(VALID), 'JSON', 'm-1');
    expect(await w.deliver(original)).toMatchObject({ outcome: 'held' });
    w.clock.now = DAY;
    const release = { ...aMessage(templated(VALID), 'JSON', 'm-9'), attributes: { ...original.attributes, [RELEASE_OF_ATTRIBUTE]: 'm-1' } };
    expect(await w.deliver(release)).toMatchObject({ outcome: 'sent' });
    expect(w.email.sent[0]!.email!.subject).toContain('A-1');
  });

  test('when a send is in flight elsewhere and this copy cannot render, then it waits (in_flight), dead-lettering nothing', async () => {
    const w = world();
    w.ledger.seed('n-1', 'EMAIL', { status: 'sending', attempts: 1, ageMs: 1_000 });
    expect(await w.deliver(aMessage(templated(INVALID), 'JSON', 'm-2'))).toMatchObject({ outcome: 'in_flight' });
    expect(w.deadLetters.deadLettered).toEqual([]);
  });

  test('when a crash left the row sending and this copy cannot render, then the verdict is still the unknown outcome', async () => {
    const w = world();
    w.ledger.seed('n-1', 'EMAIL', { status: 'sending', attempts: 1 });
    expect(await w.deliver(aMessage(templated(INVALID), 'JSON', 'm-2'))).toMatchObject({ outcome: 'dead_lettered', code: 'SEND_OUTCOME_UNKNOWN' });
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'unknown' });
  });

  test('when a retry finds the rendering failing, then the row is settled failed with the template’s code', async () => {
    const w = world();
    w.ledger.seed('n-1', 'EMAIL', { status: 'pending', attempts: 2 });
    expect(await w.deliver(aMessage(templated(INVALID), 'JSON', 'm-3'))).toMatchObject({ outcome: 'dead_lettered', code: 'TEMPLATE_DATA_INVALID', attempt: 2 });
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'failed', failureCode: 'TEMPLATE_DATA_INVALID', attempts: 2 });
  });

  test('when it names a version newer than this catalogue’s latest (a deploy rolling out), then it is retried, not dead-lettered', async () => {
    const w = world();
    expect(await w.deliver(aMessage(templated(VALID, 2)))).toMatchObject({ outcome: 'retry', code: 'TEMPLATE_NOT_DEPLOYED' });
    expect(w.deadLetters.deadLettered).toEqual([]);
    expect(w.ledger.row('n-1')).toBeUndefined();
  });

  test('when it names an unknown template, then it is dead-lettered TEMPLATE_NOT_FOUND and recorded failed', async () => {
    const w = world();
    const n = { ...templated(VALID), template: { id: 'order.unknown', version: 0, dataJson: '{}' } };
    expect(await w.deliver(aMessage(n))).toMatchObject({ outcome: 'dead_lettered', code: 'TEMPLATE_NOT_FOUND' });
    expect(w.ledger.row('n-1')).toMatchObject({ status: 'failed', failureCode: 'TEMPLATE_NOT_FOUND' });
  });
});
