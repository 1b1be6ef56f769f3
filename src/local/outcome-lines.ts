/**
 * `npm start`'s view of the notifier's log: one readable line per delivery outcome (a
 * duplicate says it is one, a dead letter its code), instead of a push's HTTP status. Other
 * lines from `level` up are said as `warn: <message> (key value, …)`.
 */
import { Writable } from 'node:stream';
import { createLogger, Logger } from '../logging';
import type { DeliveryResult } from '../delivery/outcomes';

/** What a `delivery <outcome>` log line holds (app.ts: the DeliveryResult and the push's own facts). */
export type OutcomeLine = Omit<Partial<DeliveryResult>, 'outcome' | 'code'> & { outcome: string; code?: string; deliveryAttempt?: number };

const LEVELS: Record<string, number> = { error: 0, warn: 1, info: 2, debug: 3 };

const attempt = (r: OutcomeLine, maxAttempts: number) => (r.attempt ? ` (attempt ${r.attempt} of ${maxAttempts})` : '');
const detail = (r: OutcomeLine) => (r.error ? ` — ${r.error}` : '');

/** The words for one outcome, after `<notification> <target>: `. */
export function describeOutcome(r: OutcomeLine, maxAttempts: number): string {
  switch (r.outcome) {
    case 'sent':
      return `sent${r.recipient ? ` to ${r.recipient}` : ''}${attempt(r, maxAttempts)}${r.template ? `, rendered from ${r.template}` : ''}`;
    case 'duplicate':
      return 'duplicate — already handled (the ledger in MySQL remembers this notification ID): nothing sent again';
    case 'dead_lettered':
      return `dead-lettered ${r.code}${detail(r)} (npm run notifier -- failures --local)`;
    case 'retry':
      return `retry ${r.code}${attempt(r, maxAttempts)}${detail(r)}; Pub/Sub redelivers it after its backoff`;
    case 'held':
      return `held for quiet hours until ${r.releaseAt}`;
    case 'suppressed':
      return `suppressed ${r.code}${detail(r)}`;
    case 'routed':
      return `routed to ${r.targets} contact${r.targets === 1 ? '' : 's'}, each delivered on its own`;
    case 'poisoned':
      return `not a notification: ${r.error ?? r.code} (poison topic)`;
    default:
      return `${r.outcome.replace(/_/g, ' ')}${r.code ? ` ${r.code}` : ''}${detail(r)}`;
  }
}

/** `demo-1 EMAIL: …`: the notification, its ledger target, and what happened to it. */
export function outcomeLine(r: OutcomeLine, maxAttempts: number): string {
  const subject = [r.notificationId ?? `message ${r.messageId}`, r.target ?? r.channel].filter(Boolean).join(' ');
  return `${subject}: ${describeOutcome(r, maxAttempts)}`;
}

/** Fields every log line has, left out of a readable line. */
const LOG_FIELDS = new Set(['message', 'level', 'severity', 'timestamp']);

/** `warn: circuit breaker open (channel SMS, provider twilio, …)`. */
export function logLine(entry: Record<string, unknown>): string {
  const facts = Object.entries(entry)
    .filter(([k]) => !LOG_FIELDS.has(k))
    .map(([k, v]) => `${k} ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return `${String(entry.level ?? 'info')}: ${String(entry.message ?? '')}${facts.length ? ` (${facts.join(', ')})` : ''}`;
}

/** A log line's fields; undefined for a line that is not a JSON object (said as it is: the log never throws). */
function parsed(line: string): ({ message?: string; level?: string } & OutcomeLine) | undefined {
  try {
    const entry: unknown = JSON.parse(line);
    return typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? (entry as OutcomeLine) : undefined;
  } catch {
    return undefined;
  }
}

interface OutcomeOptions {
  /** LOG_LEVEL: lines other than outcomes are said from this level up. */
  level: string;
  maxAttempts: number;
}

/** Where the logger writes: JSON lines in, readable lines out through `say`. */
export function outcomeStream(say: (line: string) => void, opts: OutcomeOptions): Writable {
  const shown = LEVELS[opts.level] ?? 1;
  let pending = '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      const lines = (pending + chunk.toString('utf8')).split('\n');
      pending = lines.pop()!;
      for (const line of lines.filter(Boolean)) {
        const entry = parsed(line);
        if (!entry) say(line);
        else if (entry.message?.startsWith('delivery ')) say(outcomeLine(entry, opts.maxAttempts));
        else if ((LEVELS[entry.level ?? ''] ?? 2) <= shown) say(logLine(entry));
      }
      done();
    },
  });
}

/** A logger for the local notifier: outcome lines, and other lines from `level` up, through `say`. */
export function outcomeLogger(say: (line: string) => void, opts: OutcomeOptions): Logger {
  // Outcomes are logged at info and warn: the logger takes everything from info up, the stream filters.
  return createLogger(opts.level === 'debug' ? 'debug' : 'info', outcomeStream(say, opts));
}
