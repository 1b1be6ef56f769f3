import type { NotificationEvent } from '../../../src/codec/event';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliClient, CliIo, Connection } from '../../../src/cli/main';
import { broadcast } from '../../../src/client/broadcast';
import { InvalidNotificationError, NotificationInput, toNotification } from '../../../src/client/notification-input';
import { validateNotification } from '../../../src/codec/validate';
import { Notification } from '../../../src/codec/notification';
import { FailureStore, Row } from '../../../src/failures/store';

/** The instant the fakes treat as now: 2025-01-01T00:00:00Z. */
export const NOW_MS = Date.UTC(2025, 0, 1);

/**
 * A client factory that publishes into an array, validating as the real client does
 * (publish throws synchronously for an invalid notification). `failAt` makes the n-th
 * send (1-based) reject, as Pub/Sub does when it becomes unavailable.
 */
export function fakePubSub(opts: { failAt?: number } = {}) {
  const published: Notification[] = [];
  const attributes: Record<string, string>[] = [];
  const connections: Connection[] = [];
  let sends = 0;
  let closed = 0;
  /** Lifecycle events the command published, with their topic. */
  const events: { topic: string; event: NotificationEvent }[] = [];
  const send = async (n: Notification) => {
    sends++;
    if (sends === opts.failAt) throw new Error('14 UNAVAILABLE: connection refused');
    published.push(n);
    return `m-${sends}`;
  };
  const createClient = (connection: Connection): CliClient => {
    connections.push(connection);
    const prepare = (input: NotificationInput) => toNotification(input, { source: connection.source ?? '', nowMs: NOW_MS });
    return {
      publish: (input) => send(prepare(input)),
      broadcast: (options) => broadcast(options, { prepare, send }),
      republish(n, extra) {
        const problems = validateNotification(n);
        if (problems.length) throw new InvalidNotificationError(problems);
        attributes.push(extra);
        return send(n);
      },
      publishEvent: async (topic, event) => void events.push({ topic, event }),
      close: async () => void closed++,
    };
  };
  return { createClient, published, attributes, connections, events, closed: () => closed };
}

/** A failure store answering from arrays; it records the filters it was asked for. */
export function fakeFailureStore(rows: { summary?: Row[]; list?: Row[]; candidates?: Row[]; deadLetters?: Row[] } = {}) {
  const asked: unknown[] = [];
  let closed = 0;
  const store: FailureStore = {
    name: 'fake store',
    summary: async (f) => (asked.push(f), rows.summary ?? []),
    list: async (f) => (asked.push(f), rows.list ?? []),
    replayCandidates: async (f) => (asked.push(f), rows.candidates ?? []),
    deadLetterRows: async (_since, ids) => (rows.deadLetters ?? []).filter((r) => ids.includes(String(r.message_id))),
    close: async () => void closed++,
  };
  return { store, asked, closed: () => closed };
}

/** A dead-letter table row (the MySQL stand-in's shape) of an EMAIL notification. */
export const deadLetterRow = (id: string, messageId: string, to = `${id}@example.com`): Row => ({
  notification_id: id,
  account_id: '',
  type: 'order.shipped',
  channel: 1,
  source: 'orders',
  created_at_micros: '2024-12-31 23:00:00.000000',
  expires_at_micros: '1970-01-01 00:00:00.000000',
  email: JSON.stringify({ to, subject: 'S', text: 'T' }),
  message_id: messageId,
});

/** An operator's signing key (INTERNAL_SIGNING_KEYS), which replays and resends need. */
export const TEST_SIGNING_KEY = 'test-signing-key-of-at-least-32-characters';

/** An io whose output is captured; env names a project and a signing key so commands can run. */
export function captureIo(overrides: Partial<CliIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    env: { GOOGLE_CLOUD_PROJECT: 'test-project', INTERNAL_SIGNING_KEYS: TEST_SIGNING_KEY },
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s), isTTY: false },
    now: () => NOW_MS,
    ...overrides,
  };
  return { io, stdout: () => out.join(''), stderr: () => err.join('') };
}

/** Standard input holding `text`. */
export function stdinOf(text: string): Readable {
  return Readable.from([Buffer.from(text)]);
}

/** A temporary directory for input files; `remove` deletes it. */
export function tempFiles() {
  const dir = mkdtempSync(join(tmpdir(), 'notifier-cli-'));
  return {
    write(name: string, content: string): string {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
