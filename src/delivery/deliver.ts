import { Encoding, DecodeError, decodeNotification, encodingOf } from '../codec/codec';
import { channelName, Notification } from '../codec/notification';
import { describeProblems, validateNotification } from '../codec/validate';
import {
  asDeliveryError,
  DeliveryError,
  FailureClass,
  FailureCode,
} from './failures';
import { DeliveryResult } from './outcomes';
import {
  Channel,
  Clock,
  DeadLetterPublisher,
  GatePermit,
  Ledger,
  LedgerEntry,
  LedgerWrite,
  LOCK_BUSY,
  LockedLedger,
  ProviderGates,
  TERMINAL_STATUSES,
} from './ports';
import { admitReplay, mayReopen, ReplayState } from './replays';

/** One Pub/Sub message as the push endpoint received it. */
export interface PushedMessage {
  messageId: string;
  data: Buffer;
  attributes: Record<string, string>;
}

export interface DeliveryDeps {
  ledger: Ledger;
  channels: ReadonlyMap<number, Channel>;
  /** Rate limits and circuit breakers: consulted after the fast path, before the lock. */
  gates: ProviderGates;
  deadLetters: DeadLetterPublisher;
  clock: Clock;
  defaultEncoding: Encoding;
  maxAttempts: number;
  /** Replays that may reopen one failed (notification_id, channel). */
  maxReplays: number;
  resendSafeTypes: ReadonlySet<string>;
}

type WriteLedger = (w: Pick<LedgerWrite, 'status' | 'attempts'> & Partial<LedgerWrite>) => Promise<void>;

const MAX_ERROR_LENGTH = 240;
const short = (text: string) => (text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text);

/**
 * Delivers one pushed message: decode → validate → fast path → lock → send → record.
 * Every failure ends as an outcome (see OUTCOMES for what Pub/Sub is told); errors of
 * unknown kind become a transient INTERNAL retry, so nothing is acked unrecorded.
 */
export function makeDeliver(deps: DeliveryDeps) {
  return async function deliver(msg: PushedMessage): Promise<DeliveryResult> {
    let n: Notification;
    try {
      n = decodeNotification(msg.data, encodingOf(msg.attributes, deps.defaultEncoding));
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      return rejectUndecodable(msg, err);
    }
    const result = { messageId: msg.messageId, notificationId: n.notificationId, channel: channelName(n.channel) ?? String(n.channel) };
    try {
      const problems = validateNotification(n);
      if (problems.length > 0) {
        return await reject(msg, result, problems[0]!.code, describeProblems(problems));
      }
      const channel = deps.channels.get(n.channel);
      if (!channel) {
        return await reject(msg, result, 'CHANNEL_NOT_CONFIGURED', `no ${result.channel} channel is configured`);
      }
      const withRecipient = { ...result, recipient: channel.describeRecipient(n) };
      const key = { notificationId: n.notificationId, channel: channel.name };
      const existing = await deps.ledger.find(key);
      // A replay of a failed row cannot be decided without the lock: it may send.
      if (existing && TERMINAL_STATUSES.has(existing.status) && !mayReopen(existing, msg)) {
        return { ...withRecipient, outcome: 'duplicate', attempt: existing.attempts };
      }
      // Refused before the lock: shedding load must not cost a MySQL connection.
      const gate = deps.gates.admit(channel.name, channel.provider(n));
      if (!gate.admitted) {
        return { ...withRecipient, outcome: gate.outcome, error: `provider ${channel.provider(n)}: retry in ${gate.retryInMs} ms` };
      }
      try {
        const locked = await deps.ledger.withLock(key, (ledger) =>
          deliverLocked(ledger, msg, n, channel, gate, withRecipient),
        );
        return locked === LOCK_BUSY ? { ...withRecipient, outcome: 'lock_busy' } : locked;
      } finally {
        gate.cancel(); // a no-op once the send settled it
      }
    } catch (err) {
      const failure = asDeliveryError(err);
      return { ...result, outcome: 'retry', code: failure.code, error: short(failure.message) };
    }
  };

  type Known = Omit<DeliveryResult, 'outcome'>;

  async function deliverLocked(
    ledger: LockedLedger,
    msg: PushedMessage,
    n: Notification,
    channel: Channel,
    gate: GatePermit,
    known: Known,
  ): Promise<DeliveryResult> {
    const row = await ledger.read();
    const start = startFrom(row, msg, known);
    if ('done' in start) return start.done;
    const { result, previousAttempts, replay } = start;
    const write: WriteLedger = (w) =>
      ledger.save({ type: n.type, accountId: n.accountId, messageId: msg.messageId, ...replay, ...w });

    if (row?.status === 'sending' && !deps.resendSafeTypes.has(n.type)) {
      // A previous delivery handed it to the provider and never recorded the outcome.
      const error = 'a previous attempt was interrupted after handing the message to the provider';
      await publishFailure(msg, result, 'SEND_OUTCOME_UNKNOWN', 'unknown_outcome', row.attempts, error);
      await write({ status: 'unknown', attempts: row.attempts, failureCode: 'SEND_OUTCOME_UNKNOWN', error });
      return { ...result, outcome: 'dead_lettered', attempt: row.attempts, code: 'SEND_OUTCOME_UNKNOWN', error };
    }
    if (n.expiresAtMicros > 0n && n.expiresAtMicros <= BigInt(deps.clock.nowMs()) * 1000n) {
      await write({ status: 'expired', attempts: previousAttempts });
      return { ...result, outcome: 'expired', attempt: previousAttempts };
    }
    const attempts = previousAttempts + 1;

    await write({ status: 'sending', attempts });
    let providerMessageId: string | undefined;
    try {
      ({ providerMessageId } = await channel.send(n));
      gate.settle();
    } catch (err) {
      const failure = asDeliveryError(err);
      gate.settle(failure);
      return sendFailed(failure, msg, n, { ...result, attempt: attempts }, write);
    }
    const sent: DeliveryResult = { ...result, outcome: 'sent', attempt: attempts };
    try {
      await write({ status: 'sent', attempts, providerMessageId });
    } catch (err) {
      // Resending would notify twice: acknowledge (logged as an error), and leave the row
      // `sending` so that a stray redelivery is dead-lettered as unknown outcome, not resent.
      return { ...sent, outcome: 'sent_unrecorded', error: short(asDeliveryError(err).message) };
    }
    return sent;
  }

  /**
   * Under the lock: a final answer for a terminal row, or what the delivery carries on
   * with. Every write carries the replay state, so one UPSERT states the whole row.
   */
  function startFrom(
    row: LedgerEntry | undefined,
    msg: PushedMessage,
    result: Known,
  ): { done: DeliveryResult } | { result: Known; previousAttempts: number; replay: ReplayState } {
    if (row && mayReopen(row, msg)) {
      const verdict = admitReplay(row, msg.messageId, deps.maxReplays);
      if (!verdict.accepted) {
        return { done: { ...result, outcome: 'replay_refused', attempt: row.attempts, error: verdict.reason } };
      }
      // A fresh MAX_ATTEMPTS budget; the replay fields are written with `sending`.
      return { result: { ...result, replay: verdict.state.replays }, previousAttempts: 0, replay: verdict.state };
    }
    if (row && TERMINAL_STATUSES.has(row.status)) {
      return { done: { ...result, outcome: 'duplicate', attempt: row.attempts } };
    }
    const replay = { replays: row?.replays ?? 0, lastReplayMessageId: row?.lastReplayMessageId };
    return { result, previousAttempts: row?.attempts ?? 0, replay };
  }

  async function sendFailed(
    failure: DeliveryError,
    msg: PushedMessage,
    n: Notification,
    result: Known & { attempt: number },
    write: WriteLedger,
  ): Promise<DeliveryResult> {
    const attempts = result.attempt;
    const error = short(failure.message);
    // An unknown outcome is never resent silently: only types declared safe to resend retry.
    const resendable = failure.kind === 'transient' || (failure.kind === 'unknown_outcome' && deps.resendSafeTypes.has(n.type));
    if (resendable && attempts < deps.maxAttempts) {
      await write({ status: 'pending', attempts, failureCode: failure.code, error });
      return { ...result, outcome: 'retry', code: failure.code, error };
    }
    const code: FailureCode =
      failure.kind === 'permanent' ? failure.code : resendable ? 'ATTEMPTS_EXHAUSTED' : 'SEND_OUTCOME_UNKNOWN';
    const failureClass: FailureClass = failure.kind;
    try {
      await publishFailure(msg, result, code, failureClass, attempts, error);
    } catch (err) {
      // Not recorded anywhere yet: the next delivery must try again.
      await write({ status: 'pending', attempts, failureCode: code, error });
      throw err;
    }
    await write({ status: code === 'SEND_OUTCOME_UNKNOWN' ? 'unknown' : 'failed', attempts, failureCode: code, error });
    return { ...result, outcome: 'dead_lettered', code, error };
  }

  /** Invalid or unroutable: dead-letter without a ledger row (nothing was attempted). */
  async function reject(msg: PushedMessage, result: Known, code: FailureCode, error: string) {
    await publishFailure(msg, result, code, 'permanent', 0, short(error));
    return { ...result, outcome: 'dead_lettered' as const, code, error: short(error) };
  }

  async function rejectUndecodable(msg: PushedMessage, err: DecodeError): Promise<DeliveryResult> {
    const error = short(err.message);
    const result = { messageId: msg.messageId, code: 'UNDECODABLE_PAYLOAD' as const, error };
    try {
      await deps.deadLetters.poison({
        data: msg.data,
        attributes: msg.attributes,
        code: 'UNDECODABLE_PAYLOAD',
        failureClass: 'permanent',
        attempts: 0,
        channel: '',
        sourceMessageId: msg.messageId,
        error,
      });
    } catch (publishErr) {
      const failure = asDeliveryError(publishErr);
      return { ...result, outcome: 'retry', code: failure.code, error: short(failure.message) };
    }
    return { ...result, outcome: 'poisoned' };
  }

  async function publishFailure(
    msg: PushedMessage,
    result: Known,
    code: FailureCode,
    failureClass: FailureClass,
    attempts: number,
    error: string,
  ): Promise<void> {
    await deps.deadLetters.deadLetter({
      data: msg.data,
      attributes: msg.attributes,
      code,
      failureClass,
      attempts,
      channel: result.channel ?? '',
      sourceMessageId: msg.messageId,
      error,
    });
  }
}

export type Deliver = ReturnType<typeof makeDeliver>;
