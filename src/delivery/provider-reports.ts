import type { EventKind } from '../codec/event';
import { emitAll, keyFacts } from './events';
import type { DeliveryKey, EventSink } from './ports';
import { AddressHasher, SUPPRESSES_MANDATORY, SuppressibleChannel, SuppressionReason, SuppressionStore } from './suppression';

/** What a provider reports about a message after it accepted it (a status callback). */
export interface ProviderReport {
  channel: SuppressibleChannel;
  providerMessageId: string;
  event: Extract<EventKind, 'delivered' | 'bounced' | 'complained' | 'undelivered'>;
  /** The provider's own reason (a bounce type, an error code), when it gave one. */
  code?: string;
  /** The provider's ID of this report (SendGrid's sg_event_id, Twilio's SID + status): the event's ID. */
  reportId: string;
  /** For the suppression list: the address the report is about, and why it is to be suppressed. */
  suppress?: { address: string; reason: SuppressionReason };
  /** Who reported it: sendgrid, twilio. */
  source: string;
}

/** The delivery ledger's side of reports (mysql/provider-reports.ts). */
export interface ProviderReportStore {
  /**
   * Adds the event to the history of the delivery that carries this provider message ID, once
   * per report (`reportId`: a provider retrying its callback adds nothing; a replay's own report
   * of the same event is a report of its own); its key, or undefined when no delivery carries it.
   */
  record(channel: SuppressibleChannel, providerMessageId: string, report: { event: EventKind; code?: string; reportId: string }): Promise<DeliveryKey | undefined>;
}

export interface ReportDeps {
  store: ProviderReportStore;
  suppressions: Pick<SuppressionStore, 'add' | 'get' | 'remove'>;
  hash: AddressHasher;
  events?: EventSink;
}

/** recorded: on its delivery; unknown: no delivery carries the message ID (acknowledged all the same, and counted). */
export type ReportResult = 'recorded' | 'unknown';

/**
 * Records provider reports: on the delivery's history, as a lifecycle event, and on the
 * suppression list when the report says the address must not be sent to again. A report
 * about an unknown message is acknowledged, never an error: the provider would retry it
 * forever. The suppression entry does not depend on finding the delivery.
 */
export function makeProviderReports(deps: ReportDeps) {
  async function suppress(channel: SuppressibleChannel, address: string, reason: SuppressionReason, source: string, notificationId?: string) {
    await deps.suppressions.add(deps.hash(channel, address), { reason, mandatoryToo: SUPPRESSES_MANDATORY[reason], source, ...(notificationId && { notificationId }) });
  }

  /**
   * The recipient opted back in at the provider (Twilio's START): only the opt-out that
   * provider recorded is lifted; an operator's or a bounce's entry stays. True when lifted.
   */
  async function unsuppressOptOut(channel: SuppressibleChannel, address: string, source: string): Promise<boolean> {
    const key = deps.hash(channel, address);
    const entry = await deps.suppressions.get(key);
    return entry?.reason === 'opt_out' && entry.source === source ? deps.suppressions.remove(key) : false;
  }

  return {
    suppress,
    unsuppressOptOut,
    async report(r: ProviderReport): Promise<ReportResult> {
      const key = await deps.store.record(r.channel, r.providerMessageId, r);
      if (r.suppress) await suppress(r.channel, r.suppress.address, r.suppress.reason, r.source, key?.notificationId);
      if (!key) return 'unknown';
      emitAll(deps.events, [{ ...keyFacts(key, r.event, r.reportId), code: r.code ?? '', providerMessageId: r.providerMessageId }]);
      return 'recorded';
    },
  };
}

export type ProviderReports = ReturnType<typeof makeProviderReports>;
