/**
 * What a channel's message is, as the producer client and the notifier both need it: the
 * payload's Notification field, its checks, the recipient check an account's contacts share,
 * and its rendering from a routed notification's content. Client-safe: no provider code, no
 * server dependencies (the client package loads it).
 */
import type { ContentPayload } from '../codec/notification';
import type { FieldProblem, ValidationCode } from '../codec/payload-checks';

/** The `notifier publish` flags that fill a payload. */
export interface PublishFlags {
  to?: string;
  subject?: string;
  text?: string;
  html?: string;
  payload?: string;
}

export interface ChannelMessage<Name extends string = string, Field extends string = string, Payload = unknown, Input = Payload> {
  /** The Channel enum value's name in notification.proto, e.g. `SMS`. */
  readonly name: Name;
  /** Its number in the enum. */
  readonly number: number;
  /** The Notification field holding the payload, named as in the proto (a message of strings and string maps). */
  readonly field: Field;
  /** Addresses an account may keep on this channel (settings: `contacts`). */
  readonly contactsPerAccount: number;
  /** Why `address` cannot reach anyone on this channel, or undefined: payload recipients and account contacts alike. */
  recipientProblem(address: string): string | undefined;
  /** Every problem of the payload, fields named `<field>.<proto name>`; values never appear (they may be personal data). */
  check(payload: Payload, problems: FieldProblem[]): void;
  /** The payload for one contact of a routed notification, within this channel's limits. */
  render(address: string, content: ContentPayload, type: string): Payload;
  /** What `notifier publish --to … --subject … --text … --html … --payload …` means on this channel; missing flags left empty for the validator to name. */
  fromFlags(flags: PublishFlags): Input;
  /** Type only: what a producer hands the client for this payload (defaults to the payload itself). */
  readonly input?: Input;
  /**
   * Keys a producer may give besides the payload's own, and how the client turns them into
   * payload fields before checking them (e.g. a webhook's `payload` value → `payloadJson`).
   */
  readonly fromInput?: { readonly keys: readonly string[]; convert(given: Record<string, unknown>, problems: FieldProblem[]): Record<string, unknown> };
}

/** A channel's message, its literal name, number and field kept in its type. */
export function defineMessage<Payload, Input = Payload>() {
  return <const Name extends string, const Field extends string>(m: ChannelMessage<Name, Field, Payload, Input>) => m;
}

export function problem(problems: FieldProblem[], field: string, text: string, code: ValidationCode = 'INVALID_PAYLOAD'): void {
  problems.push({ field, problem: text, code });
}

/** A required text field no longer than `max` characters. */
export function requiredText(problems: FieldProblem[], field: string, value: string, max?: number): void {
  if (!value) problem(problems, field, 'is required');
  else if (max !== undefined && value.length > max) problem(problems, field, `is longer than ${max} characters`);
}

/** A required recipient field, checked by its channel's recipientProblem. */
export function requiredRecipient(problems: FieldProblem[], field: string, value: string, why: (address: string) => string | undefined): void {
  const reason = value ? why(value) : 'is required';
  if (reason) problem(problems, field, reason, 'INVALID_RECIPIENT');
}

/** The routed content's parts as lines; empty parts left out. */
export const lines = (...parts: string[]) => parts.filter(Boolean).join('\n');
