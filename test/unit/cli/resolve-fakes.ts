import type { CliClient, Connection } from '../../../src/cli/main';
import { runCli } from '../../../src/cli/main';
import type { DeliveryKey } from '../../../src/delivery/ports';
import { RESOLVED_STATUS, ResolvableRow, Resolutions, ResolutionWrite } from '../../../src/mysql/resolutions';
import type { Row } from '../../../src/failures/store';
import { captureIo, fakePubSub, NOW_MS } from './fakes';

/** When the fake rows last changed: an hour before the fakes' now. */
export const UPDATED_AT = new Date(NOW_MS - 3_600_000);

export const unknownRow = (over: Partial<ResolvableRow> = {}): ResolvableRow => ({ status: 'unknown', replays: 0, updatedAt: UPDATED_AT, ...over });

/**
 * The ledger as the conditional UPDATE behaves: only an `unknown` row is resolved. `events`
 * records writes and publishes in order; `beforeResolve` lets a test change the row first (a rival).
 */
export function fakeLedger(rows: Record<string, ResolvableRow>, events: string[] = []) {
  const writes: [DeliveryKey, ResolutionWrite][] = [];
  let closed = 0;
  const id = (k: DeliveryKey) => `${k.notificationId}|${k.channel}`;
  const ledger: Resolutions & { close(): Promise<void> } & { beforeResolve?: (k: DeliveryKey) => void } = {
    find: async (k) => rows[id(k)],
    async resolve(k, w) {
      ledger.beforeResolve?.(k);
      const row = rows[id(k)];
      if (row?.status !== 'unknown') return false;
      rows[id(k)] = { ...row, status: RESOLVED_STATUS[w.resolution], resolved: { resolution: w.resolution, by: w.by, at: new Date(w.atMs), note: w.note } };
      writes.push([k, w]);
      events.push(`ledger ${w.resolution}`);
      return true;
    },
    close: async () => void closed++,
  };
  return { ledger, writes, rows, closed: () => closed };
}

/** A fake Pub/Sub client factory that also logs each publish into `events`. */
export function loggedPubSub(events: string[], opts: { failAt?: number } = {}) {
  const pubsub = fakePubSub(opts);
  const createClient = (c: Connection): CliClient => {
    const client = pubsub.createClient(c);
    return { ...client, republish: (n, a) => (events.push('publish'), client.republish(n, a)) };
  };
  return { ...pubsub, createClient };
}

/** A replay query row of the SEND_OUTCOME_UNKNOWN record of `id`. */
export const record = (id: string, messageId: string, target?: string): Row => ({
  failed_at: '2024-12-31 23:00:00.000000',
  notification_id: id,
  channel: 'EMAIL',
  failure_code: 'SEND_OUTCOME_UNKNOWN',
  message_id: messageId,
  source_message_id: `src-${messageId}`,
  payload: 'notification',
  target: target ?? null,
});

/** Flags every test passes: the local ledger (faked) and who resolves. */
export const LOCAL = ['--local', '--by', 'alice'];

/** `notifier resolve <args>` with the given fakes: exit code and output. */
export async function resolve(args: string[], over: Parameters<typeof captureIo>[0] = {}) {
  const cap = captureIo(over);
  const code = await runCli(['resolve', ...args], cap.io);
  return { code, stdout: cap.stdout(), stderr: cap.stderr() };
}
