import { Encoding, encodeNotification } from '../../src/codec/codec';
import { CHANNELS, ChannelName, Notification } from '../../src/codec/notification';
import { Deliver, makeDeliver, PushedMessage } from '../../src/delivery/deliver';
import {
  Channel,
  Clock,
  DeadLetterPublisher,
  DeliveryKey,
  FailureRecord,
  AccountDirectory,
  AccountPolicy,
  Contact,
  GatePermit,
  GateRefusal,
  HeldMessage,
  NotificationPublisher,
  Ledger,
  LedgerEntry,
  LedgerWrite,
  LOCK_BUSY,
  LockedLedger,
  Lookup,
  LookupAlso,
  ProviderGates,
  SendReceipt,
  TERMINAL_STATUSES,
} from '../../src/delivery/ports';
import { makeAddressHasher, Suppression } from '../../src/delivery/suppression';
import type { DeliveryError } from '../../src/delivery/failures';
import { maskEmail } from '../../src/logging';
import { REPLAY_OF_ATTRIBUTE } from '../../src/codec/attributes';

/** A valid EMAIL notification. */
export function aNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    notificationId: 'n-1',
    accountId: 'acct-1',
    type: 'order.shipped',
    channel: CHANNELS.EMAIL,
    source: 'orders',
    createdAtMicros: 1_700_000_000_000_000n,
    expiresAtMicros: 0n,
    email: { to: 'alice@example.com', subject: 'Your order shipped', text: 'On its way.', html: '' },
    ...overrides,
  };
}

/** A pushed message carrying the notification in the given encoding. */
export function aMessage(n: Notification, encoding: Encoding = 'JSON', messageId = 'm-1'): PushedMessage {
  return rawMessage(encodeNotification(n, encoding), { googclient_schemaencoding: encoding }, messageId);
}

/** A replay of `n` as an analyst publishes it: a new message ID and `notifier_replay_of`. */
export function aReplay(n: Notification, messageId: string, replayOf = 'm-1'): PushedMessage {
  const msg = aMessage(n, 'JSON', messageId);
  return { ...msg, attributes: { ...msg.attributes, [REPLAY_OF_ATTRIBUTE]: replayOf } };
}

export function rawMessage(data: Buffer, attributes: Record<string, string>, messageId = 'm-1'): PushedMessage {
  return { messageId, data, attributes };
}

const keyOf = (key: DeliveryKey) => `${key.notificationId}|${key.channel}`;

/** A row as a test seeds it: replay fields default to none. */
export type SeededEntry = Pick<LedgerEntry, 'status' | 'attempts'> & Partial<LedgerEntry>;

/** The ledger in memory: rows in a Map, locks held elsewhere in a Set. */
export class FakeLedger implements Ledger {
  readonly rows = new Map<string, LedgerWrite | SeededEntry>();
  /** When each row was saved (by `clock`); a seeded row has no entry. */
  private readonly writtenAt = new Map<string, number>();
  /** The database's clock for row ages; the world's FakeClock. */
  clock: Clock = { nowMs: () => 0 };
  readonly heldElsewhere = new Set<string>();
  readonly saves: LedgerWrite[] = [];
  /** Messages kept for release, by ledger key. */
  readonly held = new Map<string, HeldMessage>();
  lockCalls = 0;
  findError?: Error;
  lockError?: Error;
  /** Fails `save` for writes this returns an error for. */
  saveError: (w: LedgerWrite) => Error | undefined = () => undefined;
  /** Runs once the lock is taken, before the locked work (another process's last write). */
  onLocked?: () => void;

  /** A seeded row was written long ago (a crash window) unless the test gives its `ageMs`; a saved one just now. */
  seed(notificationId: string, channel: string, entry: SeededEntry): void {
    const k = keyOf({ notificationId, channel });
    this.rows.set(k, entry);
    this.writtenAt.delete(k);
  }

  row(notificationId: string, channel = 'EMAIL'): (LedgerWrite | SeededEntry) | undefined {
    return this.rows.get(keyOf({ notificationId, channel }));
  }

  holdElsewhere(notificationId: string, channel = 'EMAIL'): void {
    this.heldElsewhere.add(keyOf({ notificationId, channel }));
  }

  /** The lock's connection died: the key's lock is free for others while its holder carries on. */
  loseLock(notificationId: string, channel = 'EMAIL'): void {
    this.heldElsewhere.delete(keyOf({ notificationId, channel }));
  }

  async find(key: DeliveryKey): Promise<LedgerEntry | undefined> {
    if (this.findError) throw this.findError;
    return this.entry(key);
  }

  /** Answers lookup's policy half (the world's accounts). */
  accounts?: AccountDirectory;
  /** The suppression list: address hash → entry. */
  readonly suppressions = new Map<string, Suppression>();

  async lookup(key: DeliveryKey, also: LookupAlso, evenIfTerminal = false): Promise<Lookup> {
    const entry = await this.find(key);
    if (entry && TERMINAL_STATUSES.has(entry.status) && !evenIfTerminal) return { entry };
    const policy = also.account && (await this.accounts?.policy(also.account.accountId, also.account.type));
    const suppressed = also.suppression && this.suppressions.get(also.suppression.addressHash);
    return { entry, ...(policy && { policy }), ...(suppressed && { suppressed }) };
  }

  /** The first claim is made by `claim`, as the MySQL ledger's costs nothing more then. */
  async withLock<T>(key: DeliveryKey, fn: (ledger: LockedLedger) => Promise<T>): Promise<T | typeof LOCK_BUSY> {
    this.lockCalls += 1;
    if (this.lockError) throw this.lockError;
    const k = keyOf(key);
    if (this.heldElsewhere.has(k)) return LOCK_BUSY;
    this.heldElsewhere.add(k);
    try {
      this.onLocked?.();
      return await fn({
        read: async () => this.entry(key),
        save: async (w) => this.save(k, w),
        claim: async (w) => this.save(k, { ...w, status: 'sending' }),
        record: async (w) => this.save(k, w),
        hold: async (w, message) => {
          this.held.set(k, message);
          await this.save(k, w);
        },
      });
    } finally {
      this.heldElsewhere.delete(k);
    }
  }

  private async save(k: string, w: LedgerWrite): Promise<void> {
    const err = this.saveError(w);
    if (err) throw err;
    this.saves.push(w);
    this.rows.set(k, { ...w });
    this.writtenAt.set(k, this.clock.nowMs());
  }

  private ageOf(k: string): number {
    const at = this.writtenAt.get(k);
    return at === undefined ? Number.MAX_SAFE_INTEGER : this.clock.nowMs() - at;
  }

  private entry(key: DeliveryKey): LedgerEntry | undefined {
    const k = keyOf(key);
    const row = this.rows.get(k);
    return (
      row && {
        status: row.status,
        attempts: row.attempts,
        replays: row.replays ?? 0,
        lastReplayMessageId: row.lastReplayMessageId,
        ageMs: 'ageMs' in row && row.ageMs !== undefined ? row.ageMs : this.ageOf(k),
      }
    );
  }
}

/** A channel whose next sends succeed or throw what it is told to. */
export class FakeChannel implements Channel {
  readonly sent: Notification[] = [];
  failure?: unknown;
  closed = false;

  constructor(readonly name: ChannelName = 'EMAIL') {}

  async send(n: Notification): Promise<SendReceipt> {
    if (this.failure !== undefined) throw this.failure;
    this.sent.push(n);
    return { providerMessageId: `provider-${this.sent.length}` };
  }

  describeRecipient(n: Notification): string {
    return maskEmail(n.email?.to ?? '');
  }

  provider(): string {
    return 'fake-provider';
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** Records what was dead-lettered or poisoned; can be told to fail. */
export class FakeDeadLetters implements DeadLetterPublisher {
  readonly deadLettered: FailureRecord[] = [];
  readonly poisoned: FailureRecord[] = [];
  failure?: Error;
  hasPoisonTopic = true;

  async deadLetter(record: FailureRecord): Promise<void> {
    if (this.failure) throw this.failure;
    this.deadLettered.push(record);
  }

  async poison(record: FailureRecord): Promise<boolean> {
    if (this.failure) throw this.failure;
    if (!this.hasPoisonTopic) return false;
    this.poisoned.push(record);
    return true;
  }
}

/** Admits every call unless told to refuse; records what each permit was told. */
export class FakeGates implements ProviderGates {
  readonly admitted: { channel: string; provider: string }[] = [];
  readonly settled: (DeliveryError | undefined)[] = [];
  cancelled = 0;
  refusal?: GateRefusal;

  admit(channel: ChannelName, provider: string): GatePermit | GateRefusal {
    if (this.refusal) return this.refusal;
    this.admitted.push({ channel, provider });
    let done = false;
    return {
      admitted: true,
      settle: (error) => {
        if (!done) this.settled.push(error);
        done = true;
      },
      cancel: () => {
        if (!done) this.cancelled += 1;
        done = true;
      },
    };
  }
}

/** Account settings in memory: policies by account, contacts by account. */
export class FakeAccounts implements AccountDirectory {
  readonly policies = new Map<string, AccountPolicy>();
  readonly contactLists = new Map<string, Contact[]>();
  policyReads = 0;

  async policy(accountId: string): Promise<AccountPolicy | undefined> {
    this.policyReads += 1;
    return this.policies.get(accountId);
  }

  async contacts(accountId: string): Promise<Contact[]> {
    return this.contactLists.get(accountId) ?? [];
  }

  async forgetContact(accountId: string, gone: Contact): Promise<void> {
    const kept = (this.contactLists.get(accountId) ?? []).filter((c) => c.channel !== gone.channel || c.address !== gone.address);
    this.contactLists.set(accountId, kept);
  }
}

/** Records what was published back to the notifications topic; can be told to fail. */
export class FakePublisher implements NotificationPublisher {
  readonly published: { data: Buffer; attributes: Record<string, string> }[] = [];
  failure?: Error;

  async publish(data: Buffer, attributes: Record<string, string>): Promise<string> {
    if (this.failure) throw this.failure;
    this.published.push({ data, attributes });
    return `published-${this.published.length}`;
  }
}

export class FakeClock implements Clock {
  constructor(public now = 1_750_000_000_000) {}

  nowMs(): number {
    return this.now;
  }
}

export interface DeliveryWorld {
  deliver: Deliver;
  ledger: FakeLedger;
  email: FakeChannel;
  deadLetters: FakeDeadLetters;
  gates: FakeGates;
  accounts: FakeAccounts;
  publisher: FakePublisher;
  clock: FakeClock;
}

/** The delivery budget the fake world runs with: a `sending` row younger than this is in flight elsewhere. */
export const IN_FLIGHT_MS = 20_000;

/** makeDeliver wired to fresh fakes: EMAIL is the only configured channel. */
/** The world's suppression-list hashes: `ledger.suppressions` is keyed by them. */
export const TEST_ADDRESS_HASHER = makeAddressHasher('test-suppression-key-of-32-characters');

export function aDeliveryWorld(
  opts: { maxAttempts?: number; maxReplays?: number; resendSafeTypes?: string[]; mandatoryTypes?: string[]; channels?: FakeChannel[] } = {},
): DeliveryWorld {
  const ledger = new FakeLedger();
  const email = new FakeChannel('EMAIL');
  const deadLetters = new FakeDeadLetters();
  const clock = new FakeClock();
  ledger.clock = clock;
  const gates = new FakeGates();
  const accounts = new FakeAccounts();
  ledger.accounts = accounts;
  const publisher = new FakePublisher();
  const others = (opts.channels ?? []).map((c): [number, Channel] => [CHANNELS[c.name], c]);
  const deliver = makeDeliver({
    ledger,
    channels: new Map<number, Channel>([[CHANNELS.EMAIL, email], ...others]),
    gates,
    accounts,
    publisher,
    mandatoryTypes: opts.mandatoryTypes ?? [],
    deadLetters,
    clock,
    defaultEncoding: 'JSON',
    maxAttempts: opts.maxAttempts ?? 5,
    maxReplays: opts.maxReplays ?? 3,
    resendSafeTypes: new Set(opts.resendSafeTypes ?? []),
    inFlightMs: IN_FLIGHT_MS,
    addressHasher: TEST_ADDRESS_HASHER,
  });
  return { deliver, ledger, email, deadLetters, gates, accounts, publisher, clock };
}
