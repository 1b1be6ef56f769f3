import { Encoding, DecodeError, decodeNotification, encodingOf } from '../codec/codec';
import { channelName, Notification } from '../codec/notification';
import { describeProblems, isRouted, validateNotification } from '../codec/validate';
import { FailureRecords, Known, makeFailureRecords, PushedMessage, short } from './failure-records';
import { asDeliveryError, DeliveryError, FailureClass, FailureCode, PermanentError } from './failures';
import { emitAll, eventFacts, outcomeEvents, targetFor } from './events';
import { DeliveryResult } from './outcomes';
import { Decision, decide, isExpired, matchesType } from './policy';
import {
  AccountDirectory,
  Channel,
  Clock,
  DeadLetterPublisher,
  DeliveryKey,
  EventSink,
  GatePermit,
  Ledger,
  LedgerWrite,
  LOCK_BUSY,
  LockedLedger,
  Lookup,
  NotificationPublisher,
  ProviderGates,
  TERMINAL_STATUSES,
} from './ports';
import { admitReplay, isSettledFor, mayReopen, ReplayState } from './replays';
import { makeRoute } from './route';
import { AddressHasher, suppresses, suppressionKeyOf } from './suppression';
import { targetOf } from './routing';
import { RELEASE_OF_ATTRIBUTE } from '../codec/attributes';
import { checkTemplated, renderNotification, Rendering, Templates } from './render';

export type { PushedMessage };

export interface DeliveryDeps {
  ledger: Ledger;
  channels: ReadonlyMap<number, Channel>;
  /** Rate limits and circuit breakers: consulted after the fast path, before the lock. */
  gates: ProviderGates;
  deadLetters: DeadLetterPublisher;
  /** Contacts for routing (the policy is read with the ledger row: Ledger.lookup). */
  accounts: AccountDirectory;
  /** The notifications topic, for a routed notification's per-contact messages. */
  publisher: NotificationPublisher;
  clock: Clock;
  defaultEncoding: Encoding;
  maxAttempts: number;
  /** Replays that may reopen one failed (notification_id, channel). */
  maxReplays: number;
  resendSafeTypes: ReadonlySet<string>;
  /**
   * The longest a delivery may still be running after it marked the row `sending` (the
   * delivery budget): a younger `sending` row is a send in flight elsewhere (its lock's
   * connection died), an older one a delivery that crashed.
   */
  inFlightMs: number;
  /** Types (or `category.*`) that opt-outs and quiet hours never apply to. */
  mandatoryTypes: readonly string[];
  /** Lifecycle events; absent: none are published (EVENTS_TOPIC unset). */
  events?: EventSink;
  /** Hashes recipients for the suppression list (SUPPRESSION_KEY); absent: the list is not consulted. */
  addressHasher?: AddressHasher;
  /** The template catalogue (TEMPLATES_DIR); absent: a templated notification is dead-lettered TEMPLATE_NOT_FOUND. */
  templates?: Templates;
}

type WriteLedger = (w: Pick<LedgerWrite, 'status' | 'attempts'> & Partial<LedgerWrite>) => Promise<void>;

/** How a send writes the ledger: the claim before it, and its outcome. */
interface SendWrites {
  claim(attempts: number): Promise<void>;
  record: WriteLedger;
}

/** One delivery to one channel (and, for a routed notification's messages, one contact). */
interface Delivery {
  msg: PushedMessage;
  /** As the channel sends it: a templated notification rendered. */
  n: Notification;
  /** The rendering it sends (ledger column `template`). */
  template?: string;
  channel: Channel;
  key: DeliveryKey;
  /** What the account's settings decided; a send carries the provider's permit, admitted before the lock. */
  plan: Plan;
}

/** A row's replay state before any replay. */
const FRESH: ReplayState = { replays: 0, lastReplayMessageId: undefined };

/** What every ledger write of this delivery states: the notification and its rendering, the message, the replay state, and `w`. */
function ledgerEntry(r: Rendering, msg: PushedMessage, replay: ReplayState, w: Parameters<WriteLedger>[0]): LedgerWrite {
  return { type: r.n.type, accountId: r.n.accountId, messageId: msg.messageId, ...(r.template && { template: r.template }), ...replay, ...w };
}

type Plan =
  | Exclude<Decision, { action: 'send' }>
  | { action: 'send'; permit: GatePermit }
  /** A templated notification that cannot be rendered: dead-lettered and recorded `failed` under the lock. */
  | { action: 'reject'; code: FailureCode; error: string };

/**
 * Delivers one pushed message: decode → validate → fast path → account settings → lock →
 * send → record. A routed notification (no channel) is fanned out instead (route.ts).
 * Every failure ends as an outcome (see OUTCOMES for what Pub/Sub is told); errors of
 * unknown kind become a transient INTERNAL retry, so nothing is acked unrecorded.
 */
export function makeDeliver(deps: DeliveryDeps) {
  const records: FailureRecords = makeFailureRecords(deps.deadLetters);
  const configured = new Set([...deps.channels.values()].map((c) => c.name));
  const route = makeRoute({ ...deps, configured: (c) => configured.has(c), reject: records.reject });
  const forgetDevice = (n: Notification) => forgetDeviceOf(deps.accounts, n);

  return async function deliver(msg: PushedMessage): Promise<DeliveryResult> {
    const encoding = encodingOf(msg.attributes, deps.defaultEncoding);
    let n: Notification;
    try {
      n = decodeNotification(msg.data, encoding);
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      return records.poison(msg, err);
    }
    emitAll(deps.events, [eventFacts(msg, n, targetFor(n, msg.attributes), 'received')]);
    const result = await deliverDecoded(msg, n, encoding);
    emitAll(deps.events, outcomeEvents(msg, n, result));
    return result;
  };

  async function deliverDecoded(msg: PushedMessage, n: Notification, encoding: Encoding): Promise<DeliveryResult> {
    const result = { messageId: msg.messageId, notificationId: n.notificationId, channel: channelName(n.channel) ?? String(n.channel) };
    try {
      const problems = validateNotification(n);
      if (problems.length > 0) return await records.reject(msg, result, problems[0]!.code, describeProblems(problems));
      if (isRouted(n)) return await route(msg, n, encoding, result);
      const channel = deps.channels.get(n.channel);
      if (!channel) return await records.reject(msg, result, 'CHANNEL_NOT_CONFIGURED', `no ${result.channel} channel is configured`);
      const key = { notificationId: n.notificationId, channel: targetOf(channel.name, msg.attributes) };
      const target = key.channel === channel.name ? {} : { target: key.channel };
      return await deliverToChannel(msg, n, channel, key, { ...result, ...target, recipient: channel.describeRecipient(n) });
    } catch (err) {
      const failure = asDeliveryError(err);
      return { ...result, outcome: 'retry', code: failure.code, error: short(failure.message) };
    }
  }

  async function deliverToChannel(msg: PushedMessage, n: Notification, channel: Channel, key: DeliveryKey, known: Known): Promise<DeliveryResult> {
    const mandatory = matchesType(n.type, deps.mandatoryTypes);
    const { entry: existing, policy, suppressed } = await lookup(key, n, msg, mandatory, channel);
    // A replay of a failed row cannot be decided without the lock: it may send.
    if (existing && isSettledFor(existing, msg)) return { ...known, outcome: 'duplicate', attempt: existing.attempts };
    const released = Object.hasOwn(msg.attributes, RELEASE_OF_ATTRIBUTE);
    const decision: Decision = suppresses(suppressed, mandatory)
      ? { action: 'suppress', code: 'ADDRESS_SUPPRESSED', rule: `the address is on the suppression list (${suppressed.reason})` }
      : decide(policy, { type: n.type, channel: channel.name, mandatory, released, nowMs: deps.clock.nowMs() });
    const templated = renderOrCheck(n, channel, decision, policy);
    const rendering: Rendering = 'action' in templated ? { n } : templated;
    let plan: Plan;
    if ('action' in templated) plan = templated;
    else if (decision.action !== 'send') plan = decision;
    else {
      // Only a send calls the provider; it is refused before the lock, so shedding load costs no MySQL connection.
      const permit = deps.gates.admit(channel.name, channel.provider(n));
      if (!permit.admitted) {
        return { ...known, outcome: permit.outcome, error: `provider ${channel.provider(n)}: retry in ${permit.retryInMs} ms` };
      }
      plan = { action: 'send', permit };
    }
    // A first send (no row yet) claims its row in the lock's round trip; under the lock it is the claim `send` makes.
    const firstClaim = plan.action === 'send' && !existing && !isExpired(n, deps.clock.nowMs()) ? ledgerEntry(rendering, msg, FRESH, { status: 'sending', attempts: 1 }) : undefined;
    try {
      const locked = await deps.ledger.withLock(key, (ledger) => deliverLocked(ledger, { msg, ...rendering, channel, key, plan }, known), firstClaim);
      return locked === LOCK_BUSY ? { ...known, outcome: 'lock_busy' } : locked;
    } finally {
      if (plan.action === 'send') plan.permit.cancel(); // a no-op once the send settled it
    }
  }

  /**
   * A templated notification rendered for a send, or only checked when it is held (it renders
   * at its release, with the templates deployed then; bad data fails on its first delivery
   * all the same); an opted-out one is left alone. A permanent failure is a `reject` plan; a
   * transient one (a version not deployed here yet) is thrown: retried.
   */
  function renderOrCheck(n: Notification, channel: Channel, decision: Decision, policy: Lookup['policy']): Rendering | Extract<Plan, { action: 'reject' }> {
    if (!n.template || decision.action === 'suppress') return { n };
    try {
      if (decision.action === 'send') return renderNotification(deps.templates, n, channel.name, policy);
      checkTemplated(deps.templates, n, channel.name);
      return { n };
    } catch (err) {
      if (!(err instanceof PermanentError)) throw err;
      return { action: 'reject', code: err.code, error: short(err.message) };
    }
  }

  /**
   * The row, and in the same round trip the account's say (only for a notification with an
   * account and a type that is not mandatory) and the recipient's suppression entry. A
   * terminal row comes without them (a duplicate needs neither); a replay that reopens the
   * row reads them on its own.
   */
  async function lookup(key: DeliveryKey, n: Notification, msg: PushedMessage, mandatory: boolean, channel: Channel): Promise<Lookup> {
    // A mandatory type ignores the account's say (decide), but not its locale and time zone.
    const also = {
      ...(n.accountId && (!mandatory || n.template) && { account: { accountId: n.accountId, type: n.type } }),
      ...(deps.addressHasher && { suppression: suppressionKeyOf(deps.addressHasher, channel.name, n) }),
    };
    const found = await deps.ledger.lookup(key, also);
    const reopens = found.entry && TERMINAL_STATUSES.has(found.entry.status) && !isSettledFor(found.entry, msg);
    return reopens ? deps.ledger.lookup(key, also, true) : found;
  }

  async function deliverLocked(ledger: LockedLedger, d: Delivery, known: Known): Promise<DeliveryResult> {
    const { msg, n, plan } = d;
    const row = await ledger.read();
    if (row && isSettledFor(row, msg)) return { ...known, outcome: 'duplicate', attempt: row.attempts };
    const reopened = row && mayReopen(row, msg) ? admitReplay(row, msg.messageId, deps.maxReplays) : undefined;
    if (reopened && !reopened.accepted) return { ...known, outcome: 'replay_refused', attempt: row!.attempts, error: reopened.reason };
    // A replay starts a fresh MAX_ATTEMPTS budget; every write carries the replay state, so one UPSERT states the whole row.
    const replay: ReplayState = reopened?.accepted ? reopened.state : { replays: row?.replays ?? 0, lastReplayMessageId: row?.lastReplayMessageId };
    const previousAttempts = reopened ? 0 : (row?.attempts ?? 0);
    const result: Known = reopened ? { ...known, replay: replay.replays } : known;
    const entry = (w: Parameters<WriteLedger>[0]) => ledgerEntry(d, msg, replay, w);
    const write: WriteLedger = (w) => ledger.save(entry(w));
    const writes: SendWrites = {
      claim: (attempts) => ledger.claim(entry({ status: 'sending', attempts })),
      record: (w) => ledger.record(entry(w)),
    };

    if (row?.status === 'sending' && (row.ageMs ?? 0) < deps.inFlightMs) {
      // The delivery that claimed it lost its lock (its MySQL connection died) but may still
      // be sending: never a second send beside it, nor a verdict before it has finished.
      return { ...result, outcome: 'in_flight', attempt: row.attempts };
    }
    if (row?.status === 'sending' && !deps.resendSafeTypes.has(n.type)) {
      // A previous delivery handed it to the provider and never recorded the outcome.
      const error = 'a previous attempt was interrupted after handing the message to the provider';
      await records.publish(msg, result.channel ?? '', 'SEND_OUTCOME_UNKNOWN', 'unknown_outcome', row.attempts, error);
      await write({ status: 'unknown', attempts: row.attempts, failureCode: 'SEND_OUTCOME_UNKNOWN', error });
      return { ...result, outcome: 'dead_lettered', attempt: row.attempts, code: 'SEND_OUTCOME_UNKNOWN', error };
    }
    if (isExpired(n, deps.clock.nowMs())) {
      await write({ status: 'expired', attempts: previousAttempts });
      return { ...result, outcome: 'expired', attempt: previousAttempts };
    }
    if (plan.action === 'reject') {
      // As a permanent send failure is: the row says `failed`, and a replay after a fix reopens it.
      await records.publish(msg, result.channel ?? '', plan.code, 'permanent', previousAttempts, plan.error);
      await write({ status: 'failed', attempts: previousAttempts, failureCode: plan.code, error: plan.error });
      return { ...result, outcome: 'dead_lettered', attempt: previousAttempts, code: plan.code, error: plan.error };
    }
    if (plan.action === 'suppress') {
      await write({ status: 'suppressed', attempts: previousAttempts, failureCode: plan.code, error: plan.rule });
      return { ...result, outcome: 'suppressed', attempt: previousAttempts, code: plan.code, error: plan.rule };
    }
    if (plan.action === 'hold') {
      const { releaseAtMs } = plan;
      const expiresAtMs = n.expiresAtMicros > 0n ? Number(n.expiresAtMicros / 1000n) : undefined;
      const message = { data: msg.data, attributes: msg.attributes, sourceMessageId: msg.messageId, accountId: n.accountId, releaseAtMs, expiresAtMs };
      await ledger.hold({ ...entry({ status: 'held', attempts: previousAttempts }), releaseAtMs }, message);
      return { ...result, outcome: 'held', attempt: previousAttempts, releaseAt: new Date(releaseAtMs).toISOString() };
    }
    return send(d, plan.permit, result, previousAttempts, writes);
  }

  async function send(d: Delivery, gate: GatePermit, result: Known, previousAttempts: number, w: SendWrites): Promise<DeliveryResult> {
    const attempts = previousAttempts + 1;
    await w.claim(attempts);
    emitAll(deps.events, [{ ...eventFacts(d.msg, d.n, d.key.channel, 'sending', attempts), template: d.template ?? '' }]);
    if (d.template) result = { ...result, template: d.template };
    let providerMessageId: string | undefined;
    try {
      ({ providerMessageId } = await d.channel.send(d.n));
      gate.settle();
    } catch (err) {
      const failure = asDeliveryError(err);
      gate.settle(failure);
      return sendFailed(failure, d, { ...result, attempt: attempts }, w.record);
    }
    const sent: DeliveryResult = { ...result, outcome: 'sent', attempt: attempts, ...(providerMessageId && { providerMessageId }) };
    try {
      await w.record({ status: 'sent', attempts, providerMessageId });
    } catch (err) {
      // Resending would notify twice: acknowledge (logged as an error), and leave the row
      // `sending`: a stray redelivery is nacked while it may be in flight, then dead-lettered
      // as unknown outcome, never resent.
      return { ...sent, outcome: 'sent_unrecorded', error: short(asDeliveryError(err).message) };
    }
    return sent;
  }

  async function sendFailed(failure: DeliveryError, d: Delivery, result: Known & { attempt: number }, write: WriteLedger): Promise<DeliveryResult> {
    const attempts = result.attempt;
    const error = short(failure.message);
    // An unknown outcome is never resent silently: only types declared safe to resend retry.
    const resendable = failure.kind === 'transient' || (failure.kind === 'unknown_outcome' && deps.resendSafeTypes.has(d.n.type));
    if (resendable && attempts < deps.maxAttempts) {
      await write({ status: 'pending', attempts, failureCode: failure.code, error });
      return { ...result, outcome: 'retry', code: failure.code, error };
    }
    const code: FailureCode =
      failure.kind === 'permanent' ? failure.code : resendable ? 'ATTEMPTS_EXHAUSTED' : 'SEND_OUTCOME_UNKNOWN';
    const failureClass: FailureClass = failure.kind;
    try {
      await records.publish(d.msg, result.channel ?? '', code, failureClass, attempts, error);
    } catch (err) {
      // Not recorded anywhere yet: the next delivery must try again. An unknown outcome
      // keeps its row `sending`: that delivery dead-letters it as the crash window would,
      // where `pending` would send it a second time.
      if (code !== 'SEND_OUTCOME_UNKNOWN') await write({ status: 'pending', attempts, failureCode: code, error });
      throw err;
    }
    await write({ status: code === 'SEND_OUTCOME_UNKNOWN' ? 'unknown' : 'failed', attempts, failureCode: code, error });
    if (code === 'UNREGISTERED_DEVICE') await forgetDevice(d.n);
    return { ...result, outcome: 'dead_lettered', code, error };
  }
}

/**
 * FCM says the token will never work again: it leaves the account's contacts, so routing
 * stops trying it. Best effort: the delivery is recorded already, and a token that stays
 * is only removed at its next failure.
 */
async function forgetDeviceOf(accounts: AccountDirectory, n: Notification): Promise<void> {
  const token = n.push?.deviceToken;
  if (!n.accountId || !token) return;
  await accounts.forgetContact(n.accountId, { channel: 'PUSH', address: token }).catch(() => undefined);
}

export type Deliver = ReturnType<typeof makeDeliver>;
