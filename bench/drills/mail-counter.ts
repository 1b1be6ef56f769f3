import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** The SMTP server of a drill: counts accepted mails per X-Notification-Id. */
export interface MailCounter {
  url: string;
  /** Mails the server accepted, per notification ID. */
  counts: Map<string, number>;
  total(): number;
  /**
   * From now on the server reads each mail but does not answer until `release` is
   * called: a provider that stops responding. A mail whose client hung up before the
   * answer is not delivered (the transaction never completed), as with a real MTA.
   */
  holdReplies(): () => void;
  /**
   * Until the returned function is called the server reads each mail, counts it at once
   * and answers 250 only `delayMs` later: a provider that accepts the mail but answers
   * late. The mail counts even if the client hangs up before the answer (worst case: the
   * provider delivered it), unlike `holdReplies`. Mails already read keep their delay.
   */
  slowReplies(delayMs: number): () => void;
  close(): Promise<void>;
}

const NO_ID = '(no X-Notification-Id)';

/** The X-Notification-Id header of a raw message (headers end at the first empty line). */
export function notificationIdOf(raw: string): string {
  const headers = raw.split(/\r?\n\r?\n/, 1)[0]!;
  return headers.match(/^X-Notification-Id:\s*(.+?)\s*$/im)?.[1] ?? NO_ID;
}

/**
 * A real SMTP server (smtp-server, as in the tests) that keeps counts, not mails:
 * 100,000 raw mails would only cost memory. Unlike the tests' sink it survives its
 * clients' connections being reset, which is what an outage drill does to it.
 * A mail counts once the server has read all of it, just before it answers 250 (with
 * slowReplies: as soon as it has read it).
 */
export async function startMailCounter(): Promise<MailCounter> {
  const counts = new Map<string, number>();
  let total = 0;
  let held: Promise<void> | undefined;
  let slowMs: number | undefined;
  const hungUp = new Set<string>();
  const count = (id: string) => {
    counts.set(id, (counts.get(id) ?? 0) + 1);
    total++;
  };
  const accept = (id: string, sessionId: string, callback: () => void) => {
    if (!hungUp.has(sessionId)) count(id);
    callback();
  };
  const received = (id: string, sessionId: string, callback: () => void) => {
    if (slowMs !== undefined) {
      count(id);
      setTimeout(callback, slowMs);
    } else if (held) void held.then(() => accept(id, sessionId, callback));
    else accept(id, sessionId, callback);
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    onClose: (session) => void hungUp.add(session.id),
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => received(notificationIdOf(Buffer.concat(chunks).toString('utf8')), session.id, callback));
    },
  });
  // A client connection reset (the drill cutting the proxy) is not the server's failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    counts,
    total: () => total,
    holdReplies() {
      let release!: () => void;
      held = new Promise<void>((r) => (release = r));
      return () => {
        held = undefined;
        release();
      };
    },
    slowReplies(delayMs) {
      slowMs = delayMs;
      return () => void (slowMs = undefined);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
