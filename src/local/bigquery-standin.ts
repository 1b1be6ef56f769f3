import { Message, Subscription } from '@google-cloud/pubsub';
import { decodePlain, Encoding, encodingOf } from '../codec/codec';
import { decodeEventPlain } from '../codec/event';
import { localEventsTable } from '../events/table';
import { ensureLocalTables, insertRow, LocalTable, localTables } from '../failures/local-tables';
import type { Pool } from '../mysql/pool';

export interface BigQueryStandInOptions {
  pool: Pool;
  deadLetterSubscription: Subscription;
  poisonSubscription: Subscription;
  /** The lifecycle events (EVENTS_TOPIC), like notification-events-bigquery in Terraform; absent, none are stored. */
  eventsSubscription?: Subscription;
  /** Encoding of messages without `googclient_schemaencoding` (the emulator sets none). */
  defaultEncoding: Encoding;
  onRow?(row: { table: string; messageId: string; attributes: Record<string, string> }): void;
  onError?(err: Error): void;
}

export interface BigQueryStandIn {
  close(): Promise<void>;
}

function metadata(message: Message, subscription: Subscription) {
  return {
    subscription_name: subscription.name,
    message_id: message.id,
    publish_time: message.publishTime,
    attributes: message.attributes,
  };
}

/**
 * Does locally what the BigQuery subscriptions do in production: every message on the
 * dead-letter topic becomes a row of the notification's columns plus metadata, every
 * poison message a row of raw bytes plus metadata, every lifecycle event a row of the
 * event's columns plus metadata. A message is acked only after its row is written. A dead
 * letter that does not decode (which the schema'd topic would refuse in production) is
 * kept as a poison row rather than dropped; an event that does not decode is reported and
 * acked, since no redelivery can make it decode.
 */
export async function startBigQueryStandIn(opts: BigQueryStandInOptions): Promise<BigQueryStandIn> {
  const tables = { ...localTables(), events: localEventsTable() };
  await ensureLocalTables(opts.pool, [tables.deadLetters, tables.poison, tables.events]);

  const store = async (message: Message, subscription: Subscription, table: LocalTable, row: Record<string, unknown>) => {
    try {
      await insertRow(opts.pool, table, { ...row, ...metadata(message, subscription) });
      message.ack();
      opts.onRow?.({ table: table.name, messageId: message.id, attributes: message.attributes });
    } catch (err) {
      message.nack();
      opts.onError?.(err as Error);
    }
  };

  const onDeadLetter = (message: Message) => {
    let row: Record<string, unknown>;
    try {
      row = decodePlain(message.data, encodingOf(message.attributes, opts.defaultEncoding));
    } catch {
      return void store(message, opts.deadLetterSubscription, tables.poison, { data: message.data });
    }
    void store(message, opts.deadLetterSubscription, tables.deadLetters, row);
  };
  const onPoison = (message: Message) => void store(message, opts.poisonSubscription, tables.poison, { data: message.data });
  const onEvent = (subscription: Subscription) => (message: Message) => {
    let row: Record<string, unknown>;
    try {
      row = decodeEventPlain(message.data);
    } catch (err) {
      message.ack();
      return opts.onError?.(new Error(`lifecycle event ${message.id} does not decode, acked without a row: ${(err as Error).message}`));
    }
    void store(message, subscription, tables.events, row);
  };

  const subscriptions: [Subscription, (m: Message) => void][] = [
    [opts.deadLetterSubscription, onDeadLetter],
    [opts.poisonSubscription, onPoison],
  ];
  if (opts.eventsSubscription) subscriptions.push([opts.eventsSubscription, onEvent(opts.eventsSubscription)]);
  for (const [subscription, handler] of subscriptions) {
    subscription.on('message', handler);
    subscription.on('error', (err) => opts.onError?.(err));
  }
  return {
    async close() {
      await Promise.all(subscriptions.map(([s]) => s.close()));
    },
  };
}
