/**
 * SendGrid's Event Webhook: what happened to the mails the notifier handed to SendGrid's
 * SMTP relay, POSTed as a JSON array of events and signed.
 *
 * Checked against SendGrid's docs:
 * - "Getting Started with the Event Webhook Security Features"
 *   (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features):
 *   the Signed Event Webhook signs with an ECDSA key pair SendGrid generates; the signature
 *   (base64) is in X-Twilio-Email-Event-Webhook-Signature and covers the value of
 *   X-Twilio-Email-Event-Webhook-Timestamp followed by the raw request body; the verification
 *   key is shown as base64 of the DER public key. The body must be verified as received,
 *   byte for byte, before it is parsed.
 * - "Event Webhook Reference" (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event):
 *   delivery events processed, deferred, delivered, bounce (with `type` bounce or blocked),
 *   dropped (with `reason`), engagement events (open, click, spamreport, unsubscribe, …);
 *   each with `email`, `timestamp`, `smtp-id` (the Message-ID, in angle brackets),
 *   `sg_event_id` (unique per event) and `sg_message_id`.
 */
import { createSign, KeyObject, verify } from 'node:crypto';
import type { ProviderReport } from '../../delivery/provider-reports';
import type { SuppressionReason } from '../../delivery/suppression';
import { cut } from '../../text';

export const SENDGRID_PATH = '/v1/callbacks/sendgrid';
export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** The longest code a report carries (the ledger history's and the event's `code`). */
export const MAX_CODE_LENGTH = 64;

/** Whether `signature` (base64 DER ECDSA) is SendGrid's over `timestamp` + `body` with SHA-256. */
export function verifySendGridSignature(key: KeyObject, signature: string, timestamp: string, body: Buffer): boolean {
  const der = Buffer.from(signature, 'base64');
  if (der.length === 0) return false;
  try {
    return verify('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), { key, dsaEncoding: 'der' }, der);
  } catch {
    return false; // not a DER signature at all
  }
}

/** Signs as SendGrid does (the local mail side stands in for it). */
export function signSendGridEvents(privateKey: KeyObject, timestamp: string, body: Buffer): string {
  return createSign('sha256').update(Buffer.concat([Buffer.from(timestamp, 'utf8'), body])).sign({ key: privateKey, dsaEncoding: 'der' }, 'base64');
}

/**
 * The Message-ID as the ledger keeps it: `<id@host>`, the form the email channel's composer
 * returns. SendGrid sends it bracketed; a bare one gets the brackets.
 */
export function normalizeMessageId(smtpId: string): string {
  const id = smtpId.trim();
  return id.startsWith('<') && id.endsWith('>') ? id : `<${id.replace(/^<|>$/g, '')}>`;
}

/** A reason as a code: no address in it (a dropped reason can quote one), at most MAX_CODE_LENGTH. */
export function reasonCode(reason: string): string {
  return cut(reason.replace(/[^\s<>()"',;]+@[^\s<>()"',;]+/g, '[address]').replace(/\s+/g, ' ').trim(), MAX_CODE_LENGTH);
}

/** One event of the webhook's array, as far as the notifier reads it. */
export interface SendGridEvent {
  event?: unknown;
  email?: unknown;
  'smtp-id'?: unknown;
  sg_event_id?: unknown;
  type?: unknown;
  reason?: unknown;
}

/** What one event means for us: a report on a delivery, a suppression without a message to attach it to, or nothing. */
export type SendGridOutcome =
  | { kind: 'report'; report: ProviderReport }
  | { kind: 'suppress'; address: string; reason: SuppressionReason }
  | { kind: 'ignored' };

const text = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/** The report an event makes, and the suppression it asks for; other events (processed, deferred, open, click, …) are not ours. */
function reportOf(e: SendGridEvent): Omit<ProviderReport, 'channel' | 'providerMessageId' | 'reportId' | 'source'> | undefined {
  const email = text(e.email);
  switch (e.event) {
    case 'delivered':
      return { event: 'delivered' };
    case 'bounce': {
      // `blocked` is the receiving server refusing for now (reputation, content): not the address's fault.
      const type = text(e.type) ?? 'bounce';
      const hard = type === 'bounce';
      return { event: 'bounced', code: type, ...(hard && email && { suppress: { address: email, reason: 'hard_bounce' } }) };
    }
    case 'dropped': {
      const reason = text(e.reason);
      return { event: 'undelivered', ...(reason && { code: reasonCode(reason) }) };
    }
    case 'spamreport':
      return { event: 'complained', ...(email && { suppress: { address: email, reason: 'complaint' } }) };
    default:
      return undefined;
  }
}

/** One webhook event → what to do with it. */
export function sendGridOutcome(e: SendGridEvent): SendGridOutcome {
  const report = reportOf(e);
  if (!report) return { kind: 'ignored' };
  const smtpId = text(e['smtp-id']);
  if (!smtpId) return report.suppress ? { kind: 'suppress', ...report.suppress } : { kind: 'ignored' };
  const providerMessageId = normalizeMessageId(smtpId);
  const reportId = text(e.sg_event_id) ?? `${providerMessageId}:${String(e.event)}`;
  return { kind: 'report', report: { channel: 'EMAIL', providerMessageId, reportId, source: 'sendgrid', ...report } };
}

/**
 * The outcomes that do something, grouped by message, each group in the batch's order: one
 * message's events are recorded one after the other (delivered before complained), messages
 * side by side.
 */
export function outcomesByMessage(outcomes: readonly SendGridOutcome[]): SendGridOutcome[][] {
  const groups = new Map<string, SendGridOutcome[]>();
  outcomes.forEach((o, i) => {
    if (o.kind === 'ignored') return;
    const key = o.kind === 'report' ? o.report.providerMessageId : `#${i}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  });
  return [...groups.values()];
}
