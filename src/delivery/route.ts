import { Encoding, encodeNotification } from '../codec/codec';
import { ChannelName, channelName, Notification } from '../codec/notification';
import type { Known, PushedMessage } from './failure-records';
import type { DeliveryResult } from './outcomes';
import { AccountDirectory, Clock, Ledger, LOCK_BUSY, NotificationPublisher } from './ports';
import { isSettledFor } from './replays';
import { isExpired } from './policy';
import { ROUTED_KEY, routeToContacts } from './routing';
import { FailureCode, PermanentError } from './failures';
import { pinTemplate, Templates } from './render';
import { republishAttributes, ROUTED_FROM_ATTRIBUTE, TARGET_ATTRIBUTE } from '../codec/attributes';

export interface RouteDeps {
  ledger: Ledger;
  accounts: AccountDirectory;
  publisher: NotificationPublisher;
  clock: Clock;
  /** Whether a channel has an adapter: contacts on other channels are skipped. */
  configured(channel: ChannelName): boolean;
  templates?: Templates;
  /** Dead-letters the routed message itself (a template it names is missing, its data invalid). */
  reject(msg: PushedMessage, known: Known, code: FailureCode, error: string): Promise<DeliveryResult>;
}

/**
 * A routed notification: under its own ledger key (`ROUTED`), one message per contact is
 * published back to the topic, and the fan-out is recorded `sent`. Each of those is then
 * delivered on its own — preferences, quiet hours, retries and failures per channel and
 * contact — so a retry repeats only what failed. A redelivery of the routed message after
 * its fan-out is a duplicate; one before it publishes again, and the per-contact ledger
 * rows make that harmless.
 */
export function makeRoute(deps: RouteDeps) {
  /**
   * A templated notification checked once for all its contacts, its version pinned, and the
   * channels it renders for; a permanent failure is returned, to be recorded under the lock;
   * a transient one (a version not deployed here yet) is thrown: retried.
   */
  function pinned(n: Notification): { n: Notification; accepts: RouteDeps['configured'] } | { rejected: PermanentError } {
    if (!n.template) return { n, accepts: deps.configured };
    try {
      const pin = pinTemplate(deps.templates, n);
      return { n: pin.n, accepts: (channel) => deps.configured(channel) && pin.renders(channel) };
    } catch (err) {
      if (!(err instanceof PermanentError)) throw err;
      return { rejected: err };
    }
  }

  return async function route(msg: PushedMessage, given: Notification, encoding: Encoding, known: Known): Promise<DeliveryResult> {
    const result = { ...known, channel: ROUTED_KEY };
    const key = { notificationId: given.notificationId, channel: ROUTED_KEY };
    const existing = await deps.ledger.find(key);
    if (existing && isSettledFor(existing, msg)) return { ...result, outcome: 'duplicate', attempt: existing.attempts };
    const pin = pinned(given);
    const n = 'n' in pin ? pin.n : given;
    // Read before the lock: holding the lock's connection while waiting for a second one
    // deadlocks a pool that every delivery holds one connection of.
    const contacts = 'rejected' in pin || isExpired(n, deps.clock.nowMs()) ? [] : await deps.accounts.contacts(n.accountId);
    const locked = await deps.ledger.withLock(key, async (ledger): Promise<DeliveryResult> => {
      const row = await ledger.read();
      if (row && isSettledFor(row, msg)) return { ...result, outcome: 'duplicate', attempt: row.attempts };
      const write = { type: n.type, accountId: n.accountId, messageId: msg.messageId, attempts: 1, replays: 0 };
      if (isExpired(n, deps.clock.nowMs())) {
        await ledger.save({ ...write, status: 'expired', attempts: 0 });
        return { ...result, outcome: 'expired', attempt: 0 };
      }
      if ('rejected' in pin) {
        // Dead-lettered first: recorded `failed` only once the failure record is kept.
        const dead = await deps.reject(msg, result, pin.rejected.code, pin.rejected.message);
        await ledger.save({ ...write, status: 'failed', attempts: 0, failureCode: pin.rejected.code, error: dead.error });
        return dead;
      }
      const messages = routeToContacts(n, contacts, pin.accepts);
      if (messages.length === 0) {
        const error = `the account has no contact on a configured channel${n.template ? ' the template renders' : ''}`;
        await ledger.save({ ...write, status: 'suppressed', failureCode: 'NO_CONTACT', error });
        return { ...result, outcome: 'suppressed', code: 'NO_CONTACT', error };
      }
      await Promise.all(
        messages.map(({ target, notification }) => {
          const data = encodeNotification(notification, encoding);
          const extra = { [ROUTED_FROM_ATTRIBUTE]: msg.messageId, [TARGET_ATTRIBUTE]: target, channel: channelName(notification.channel) ?? '' };
          return deps.publisher.publish(data, republishAttributes(msg.attributes, extra, data.length));
        }),
      );
      await ledger.save({ ...write, status: 'sent', providerMessageId: `${messages.length} messages` });
      return { ...result, outcome: 'routed', attempt: 1, targets: messages.length };
    });
    return locked === LOCK_BUSY ? { ...result, outcome: 'lock_busy' } : locked;
  };
}
