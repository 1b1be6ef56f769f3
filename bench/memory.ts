import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { envelopeFor } from '../test/support/notifications';
import { startHarness } from './drills/harness';

/**
 * Peak memory of one notifier process (`node src/main.js`, as the container runs it) while
 * it handles `CONCURRENCY` pushes of the largest messages a producer can send, one kind
 * per fresh process: what Terraform's `memory_mib` must hold at its `concurrency`.
 *
 *   npm run bench:memory
 */

const CONCURRENCY = Number(process.env.MEMORY_CONCURRENCY ?? 10);
const MIB = 1024 * 1024;
/** Pub/Sub's largest message: 10 MB of data and attributes. */
const PUBSUB_MAX = 10_000_000;
/** LIMITS.notificationBytes (src/codec/payload-checks.ts). */
const NOTIFICATION_MAX = 8 * 1024 * 1024;

const email = (id: string, fields: Record<string, string>) => ({
  notificationId: id,
  type: 'memory.probe',
  channel: 'EMAIL',
  source: 'bench',
  createdAtMicros: String(Date.now() * 1000),
  email: { to: 'alice@example.com', subject: 'Memory', ...fields },
});

/** Each kind: the bytes of one message (a fresh ID each), and what the notifier should do with it. */
const KINDS: Record<string, { expect: string; data(id: string): Buffer }> = {
  // The largest valid mail: text and html at their limits (EMAIL_LIMITS.bodyBytes in src/channels/email/message.ts).
  'largest-valid-email': {
    expect: 'sent',
    data: (id) => Buffer.from(JSON.stringify(email(id, { text: 'a'.repeat(MIB), html: `<p>${'b'.repeat(MIB - 7)}</p>` }))),
  },
  // Valid, small, and padded with JSON whitespace up to the notification limit: sent.
  'padded-to-limit': {
    expect: 'sent',
    data: (id) => {
      const json = JSON.stringify(email(id, { text: 'hello' }));
      return Buffer.from(`${json}${' '.repeat(NOTIFICATION_MAX - json.length)}`);
    },
  },
  // Padded up to Pub/Sub's limit: over the notification limit, refused before it is decoded.
  'padded-over-limit': {
    expect: 'poisoned',
    data: (id) => {
      const json = JSON.stringify(email(id, { text: 'hello' }));
      return Buffer.from(`${json}${' '.repeat(PUBSUB_MAX - 1024 - json.length)}`);
    },
  },
  // Within the limit, but a million empty objects in an unknown field: refused before they are parsed.
  'many-objects': {
    expect: 'poisoned',
    data: (id) => {
      const json = JSON.stringify(email(id, { text: 'hello' }));
      return Buffer.from(`${json.slice(0, -1)},"pad":[${'{},'.repeat(Math.floor((NOTIFICATION_MAX - 16 - json.length) / 3))}{}]}`);
    },
  },
  // Not a notification at all: the poison topic keeps the bytes.
  undecodable: { expect: 'poisoned', data: () => Buffer.alloc(PUBSUB_MAX - 1024, 0xff) },
};

function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  if (!kb) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kb);
}

async function pushAll(url: string, bodies: string[]): Promise<number[]> {
  return Promise.all(
    bodies.map(async (body) => {
      const res = await fetch(`${url}/pubsub/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      await res.arrayBuffer();
      return res.status;
    }),
  );
}

async function main(): Promise<void> {
  const say = (line: string) => console.log(line);
  const harness = await startHarness({ inFlight: 1, say });
  try {
    for (const [name, kind] of Object.entries(KINDS)) {
      await harness.notifier.kill();
      await harness.notifier.restart();
      const pid = harness.notifier.pid()!;
      // One small delivery first, so that every module and pool is warm in the baseline.
      await pushAll(harness.notifier.url, [JSON.stringify(envelopeFor(Buffer.from(JSON.stringify(email(`warm-${randomUUID()}`, { text: 'warm' })))))]);
      const baseline = statusKb(pid, 'VmRSS');
      const bodies = Array.from({ length: CONCURRENCY }, () => JSON.stringify(envelopeFor(kind.data(`mem-${randomUUID()}`))));
      const statuses = await pushAll(harness.notifier.url, bodies);
      const peak = statusKb(pid, 'VmHWM');
      const perPush = (peak - baseline) / 1024 / CONCURRENCY;
      const line =
        `memory: kind=${name} expect=${kind.expect} push_mb=${(bodies[0]!.length / 1e6).toFixed(1)} concurrency=${CONCURRENCY} ` +
        `statuses=${[...new Set(statuses)].join('/')} baseline_mb=${(baseline / 1024).toFixed(0)} peak_mb=${(peak / 1024).toFixed(0)} ` +
        `per_push_mb=${perPush.toFixed(1)}`;
      say(line);
    }
    say(`machine: ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}`);
  } finally {
    await harness.close();
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(err.stack ?? err.message);
    process.exit(1);
  },
);
