import type { ChannelName, Notification } from '../codec/notification';
import type { EventFacts } from '../codec/event';
import type { Suppression, SuppressionKey } from './suppression';
import type { DeliveryError, FailureClass, FailureCode } from './failures';

/** Ledger status of one (notification_id, channel). */
export type DeliveryStatus =
  | 'sending' // claimed for a send that may have started; outcome not yet recorded
  | 'pending' // a transient failure; the next delivery attempt will send again
  | 'sent'
  | 'failed' // permanently failed and dead-lettered
  | 'expired'
  | 'suppressed' // an account's preference opted out of it; failureCode OPTED_OUT, error names the rule
  | 'held' // quiet hours: held until releaseAt, when the release task publishes it again
  | 'unknown'; // a crash left the send outcome unknown; dead-lettered, never resent

export const TERMINAL_STATUSES: ReadonlySet<DeliveryStatus> = new Set([
  'sent',
  'failed',
  'expired',
  'suppressed',
  'unknown',
]);

export interface DeliveryKey {
  notificationId: string;
  /**
   * The channel name; for a routed notification's per-contact messages `CHANNEL:xxxxxxxx`
   * (8 hex of the contact's hash, see routing.ts), and `ROUTED` for the routed message itself.
   */
  channel: string;
}

export interface LedgerEntry {
  status: DeliveryStatus;
  /** Attempts since the row was created or last reopened by a replay. */
  attempts: number;
  /** How many replays reopened this row after it had failed. */
  replays: number;
  /** The Pub/Sub message ID of the replay that last reopened it: that message cannot reopen it again. */
  lastReplayMessageId?: string;
  /** Since the row was last written, by the database's clock (read only). */
  ageMs?: number;
}

export interface LedgerWrite extends Omit<LedgerEntry, 'ageMs'> {
  type: string;
  /** The rendering a templated delivery sends: `id@version/locale/digest` (templates/). */
  template?: string;
  accountId: string;
  messageId: string;
  failureCode?: string;
  error?: string;
  providerMessageId?: string;
  /** With status `held`: when the release task may publish it again. */
  releaseAtMs?: number;
}

/** A message held for quiet hours, kept to be published again as it was received. */
export interface HeldMessage {
  data: Buffer;
  attributes: Record<string, string>;
  sourceMessageId: string;
  accountId: string;
  releaseAtMs: number;
  /** From expires_at_micros; undefined = never expires. */
  expiresAtMs?: number;
}

/** Ledger operations allowed while holding the key's lock. */
export interface LockedLedger {
  /** The row as it was when the lock was taken (read in the same round trip). */
  read(): Promise<LedgerEntry | undefined>;
  /** Creates or replaces the row's state (replay fields included: carry them forward). */
  save(write: LedgerWrite): Promise<void>;
  /**
   * Marks the row `sending` before the provider is called. If it throws, no send may start,
   * and the row is not left `sending` (a write the client gave up on is withdrawn).
   */
  claim(write: Omit<LedgerWrite, 'status'>): Promise<void>;
  /**
   * Records a send's outcome, even if the lock's connection died during the send, and
   * releases the lock with it: nothing may be written under the lock afterwards.
   */
  record(write: LedgerWrite): Promise<void>;
  /** Keeps the message for release and records the row `held`, both or neither. */
  hold(write: LedgerWrite & { releaseAtMs: number }, message: HeldMessage): Promise<void>;
}

export interface LookupAlso {
  account?: { accountId: string; type: string };
  suppression?: SuppressionKey;
}

export interface Lookup {
  entry?: LedgerEntry;
  policy?: AccountPolicy;
  suppressed?: Suppression;
}

export const LOCK_BUSY: unique symbol = Symbol('lock busy');

export interface Ledger {
  /** One indexed read without a lock: the duplicate fast path. */
  find(key: DeliveryKey): Promise<LedgerEntry | undefined>;
  /**
   * The row, the account's policy for the type (with `account`) and the recipient's entry on
   * the suppression list (with `suppression`), in one round trip. A terminal row comes
   * without the others (a duplicate needs neither) unless `evenIfTerminal` (a replay reopening it).
   */
  lookup(key: DeliveryKey, also: LookupAlso, evenIfTerminal?: boolean): Promise<Lookup>;
  /**
   * Runs `fn` holding the key's lock; LOCK_BUSY when another process holds it. With
   * `firstClaim`, a row still absent when the lock is taken is claimed `sending` in the same
   * round trip, so that `claim` of the same write under the lock costs nothing.
   */
  withLock<T>(key: DeliveryKey, fn: (ledger: LockedLedger) => Promise<T>, firstClaim?: Omit<LedgerWrite, 'status'>): Promise<T | typeof LOCK_BUSY>;
}

export interface SendReceipt {
  providerMessageId?: string;
}

/** One delivery channel. `send` throws PermanentError, TransientError or OutcomeUnknownError. */
export interface Channel {
  readonly name: ChannelName;
  send(notification: Notification): Promise<SendReceipt>;
  /** The recipient with personal data masked, for logs. */
  describeRecipient(notification: Notification): string;
  /**
   * The provider endpoint this notification goes to (`twilio`, a webhook's site, …): rate
   * limits and circuit breakers are kept per provider.
   */
  provider(notification: Notification): string;
  close(): Promise<void>;
}

/** Why a provider may not be called now; the delivery is nacked without calling it. */
export interface GateRefusal {
  admitted: false;
  outcome: 'rate_limited' | 'circuit_open';
  /** When calling the provider may be allowed again. */
  retryInMs: number;
}

/** Leave to call a provider once. Exactly one of `settle` or `cancel` counts; later calls are ignored. */
export interface GatePermit {
  admitted: true;
  /** The call was made: no error means the provider answered; the error's kind tells the breaker what happened. */
  settle(error?: DeliveryError): void;
  /** No call was made after all (duplicate under the lock, expired, lock busy): hand the permit back. */
  cancel(): void;
}

/** Rate limits and circuit breakers in front of the providers, per instance. */
export interface ProviderGates {
  admit(channel: ChannelName, provider: string): GatePermit | GateRefusal;
}

export interface FailureRecord {
  /** The original message bytes and attributes. */
  data: Buffer;
  attributes: Record<string, string>;
  code: FailureCode;
  failureClass: FailureClass;
  attempts: number;
  channel: string;
  sourceMessageId: string;
  /** Short and free of personal data. */
  error: string;
}

export interface DeadLetterPublisher {
  /** To the schema'd dead-letter topic. */
  deadLetter(record: FailureRecord): Promise<void>;
  /** To the schema-less poison topic; false when none is configured. */
  poison(record: FailureRecord): Promise<boolean>;
}

export interface Clock {
  nowMs(): number;
}

/** A preference rule: `scope` is `*`, `category.*` or a type; `channel` a channel name or `*`. */
export interface PreferenceRule {
  scope: string;
  channel: string;
  enabled: boolean;
}

/** Quiet hours in the account's time zone: [startMinute, endMinute) after local midnight; start > end spans midnight. */
export interface QuietHours {
  timeZone: string;
  startMinute: number;
  endMinute: number;
}

/** What a delivery needs of an account's settings: one bounded, indexed read. */
export interface AccountPolicy {
  /** BCP 47; templates render in it first. */
  locale?: string;
  /** IANA; templates format dates in it. */
  timeZone?: string;
  quietHours?: QuietHours;
  /** Only the rules whose scope can match the type: the type itself, its `category.*`, and `*`. */
  rules: PreferenceRule[];
}

/** Where an account is reached on one channel. */
export interface Contact {
  channel: ChannelName;
  address: string;
}

/** Account settings as the delivery path reads them (bounded by the settings API's limits). */
export interface AccountDirectory {
  /** Undefined when the account has no settings: everything allowed, no quiet hours. */
  policy(accountId: string, type: string): Promise<AccountPolicy | undefined>;
  /** The account's contacts in channel and position order. */
  contacts(accountId: string): Promise<Contact[]>;
  /** Removes an address the provider says is gone (FCM: UNREGISTERED) from the account's contacts. */
  forgetContact(accountId: string, contact: Contact): Promise<void>;
}

/** Publishes to the notifications topic (routed per-contact messages, released held ones). */
export interface NotificationPublisher {
  /** Resolves the Pub/Sub message ID; throws a TransientError when Pub/Sub is unreachable. */
  publish(data: Buffer, attributes: Record<string, string>): Promise<string>;
}

/**
 * Lifecycle events (pubsub/events.ts): taken without waiting, published in batches. An
 * event that cannot be published is logged and counted, never retried forever, and never
 * fails or slows the delivery that emitted it.
 */
export interface EventSink {
  emit(facts: EventFacts): void;
}
