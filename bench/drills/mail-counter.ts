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
 * A mail counts once the server has read all of it, just before it answers 250.
 */
export async function startMailCounter(): Promise<MailCounter> {
  const counts = new Map<string, number>();
  let total = 0;
  let held: Promise<void> | undefined;
  const hungUp = new Set<string>();
  const accept = (id: string, sessionId: string, callback: () => void) => {
    if (!hungUp.has(sessionId)) {
      counts.set(id, (counts.get(id) ?? 0) + 1);
      total++;
    }
    callback();
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
      stream.on('end', () => {
        const id = notificationIdOf(Buffer.concat(chunks).toString('utf8'));
        if (held) void held.then(() => accept(id, session.id, callback));
        else accept(id, session.id, callback);
      });
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
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
