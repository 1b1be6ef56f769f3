import type { EventKind } from '../codec/event';
import { EVENTS_TABLE } from './table';

/**
 * The lifecycle-event SQL: the analyst views over `notification_events` in BigQuery, and
 * the funnel also over the local stand-in table (MySQL 8, MariaDB 10.11). The parts both
 * run use only what both speak: WITH, ROW_NUMBER() OVER, CASE, NULLIF, COALESCE, DATE,
 * COUNT; the latency view is BigQuery's alone (APPROX_QUANTILES).
 */

/** The funnel's stages: column → the event that shows a delivery reached it. */
export const FUNNEL_STAGES = {
  received: 'received',
  sent: 'sent',
  delivered: 'delivered',
  failed: 'dead_lettered',
  suppressed: 'suppressed',
  held: 'held',
} as const satisfies Record<string, EventKind>;

export type FunnelStage = keyof typeof FUNNEL_STAGES;

/** The funnel's stage columns, in order. */
export const STAGE_COLUMNS = Object.keys(FUNNEL_STAGES) as FunnelStage[];

/** The latency view's percentiles. */
export const LATENCY_PERCENTILES = [50, 90, 99] as const;

/** The views' file names under terraform/views/ (and their table IDs). */
export const EVENT_VIEWS = { funnel: 'notification_funnel', latency: 'notification_latency' } as const;

const indent = (lines: string[], by = '    ') => lines.map((l) => `${by}${l}`).join(',\n');

/**
 * `WITH events AS (…), deliveries AS (…)` over `table` (quoted for the backend): `events` has
 * one row per state change, `deliveries` one per delivery (notification_id, target) with the
 * facts its events state plus `measures` (aggregates over its events).
 */
export function deliveriesCte(table: string, measures: string[]): string {
  return `WITH events AS (
  -- One row per state change. Copies of one event (same event_id: a retried publish, a
  -- redelivered push recording it again) are dropped, the earliest kept; an event without an
  -- ID is its own. An empty string is proto3's unset: NULL, whichever one a backend stores.
  SELECT notification_id, target, event, occurred_at, created_at,
    NULLIF(channel, '') AS channel, NULLIF(type, '') AS type, NULLIF(source, '') AS source
  FROM (
    SELECT notification_id, target, event, channel, type, source,
      occurred_at_micros AS occurred_at, created_at_micros AS created_at,
      ROW_NUMBER() OVER (
        PARTITION BY COALESCE(NULLIF(event_id, ''), message_id)
        ORDER BY occurred_at_micros, message_id
      ) AS nth_copy
    FROM ${table}
  ) AS copies
  WHERE nth_copy = 1
),
deliveries AS (
  -- One row per delivery. An event known only by the delivery's key (a release, a provider's
  -- callback) carries no type or source: the delivery's other events do, hence MAX.
  SELECT notification_id, target,
    MIN(occurred_at) AS first_at,
    MAX(channel) AS channel,
    MAX(type) AS type,
    MAX(source) AS source,
${indent(measures)}
  FROM events
  GROUP BY notification_id, target
)`;
}

/** 1 when one of the delivery's events is `event`, else NULL: COUNT counts such deliveries. */
const reached = (stage: FunnelStage) => `MAX(CASE WHEN event = '${FUNNEL_STAGES[stage]}' THEN 1 END) AS ${stage}`;

/**
 * Deliveries by the day of their first event × channel × type × source: how many reached
 * each stage, delivery_rate = delivered / sent and send_rate = sent / received (NULL where
 * the divisor is 0). A delivery counts once per stage however often its events repeat, and
 * on one day: a cohort, so the rates compare like with like across midnight.
 */
export function funnelSql(table: string): string {
  return `${deliveriesCte(table, STAGE_COLUMNS.map(reached))}
SELECT DATE(first_at) AS day, channel, type, source,
${indent(STAGE_COLUMNS.map((s) => `COUNT(${s}) AS ${s}`), '  ')},
  COUNT(delivered) / NULLIF(COUNT(sent), 0) AS delivery_rate,
  COUNT(sent) / NULLIF(COUNT(received), 0) AS send_rate
FROM deliveries
GROUP BY day, channel, type, source`;
}

/** The latency measures: name → the milliseconds between two of a delivery's times. */
const LATENCIES = {
  created_to_sent_ms: 'TIMESTAMP_DIFF(sent_at, created_at, MILLISECOND)',
  sent_to_delivered_ms: 'TIMESTAMP_DIFF(delivered_at, sent_at, MILLISECOND)',
};

/**
 * Sent deliveries by the day they were sent × channel × type: the percentiles of created →
 * sent (the producer's created_at_micros; deliveries without one are left out) and of sent →
 * delivered (only channels whose provider reports delivery), in milliseconds. BigQuery only.
 */
export function latencySql(table: string): string {
  const measures = [
    // 0 is proto3's "not given": no creation time to measure from.
    'MAX(NULLIF(created_at, TIMESTAMP_MICROS(0))) AS created_at',
    `MIN(CASE WHEN event = '${FUNNEL_STAGES.sent}' THEN occurred_at END) AS sent_at`,
    `MIN(CASE WHEN event = '${FUNNEL_STAGES.delivered}' THEN occurred_at END) AS delivered_at`,
  ];
  const names = Object.keys(LATENCIES);
  // One quantile array per measure (NULLs ignored); SAFE_OFFSET gives NULL when it is empty.
  const percentiles = names.flatMap((n) => LATENCY_PERCENTILES.map((p) => `${n}[SAFE_OFFSET(${p})] AS ${n}_p${p}`));
  return `${deliveriesCte(table, measures)}
SELECT day, channel, type, sent, delivered,
${indent(percentiles, '  ')}
FROM (
  SELECT DATE(sent_at) AS day, channel, type,
    COUNT(*) AS sent,
    COUNT(delivered_at) AS delivered,
${indent(Object.entries(LATENCIES).map(([n, ms]) => `APPROX_QUANTILES(${ms}, 100) AS ${n}`))}
  FROM deliveries
  WHERE sent_at IS NOT NULL
  GROUP BY day, channel, type
) AS quantiles`;
}

const GENERATED = '-- Generated by npm run gen:bq-schema from src/events/views.ts.';

/** The event views, for Terraform's templatefile (`${project}`, `${dataset}`), by file name. */
export function eventViewSql(): Record<string, string> {
  const table = `\`\${project}.\${dataset}.${EVENTS_TABLE}\``;
  return {
    [`${EVENT_VIEWS.funnel}.sql`]: `-- Deliveries by day of their first event x channel x type x source: received, sent, delivered,
-- failed (dead-lettered), suppressed, held, and the delivery and send rates.
${GENERATED}
${funnelSql(table)}
`,
    [`${EVENT_VIEWS.latency}.sql`]: `-- Sent deliveries by day x channel x type: p50/p90/p99 of created -> sent and sent -> delivered, in ms.
${GENERATED}
${latencySql(table)}
`,
  };
}
