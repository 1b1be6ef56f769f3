/** A real SMTP server for tests and the local pipeline: keeps what it receives; tests steer its replies. */
import type { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  from: string;
  raw: string;
  notificationId?: string;
}

/** What the sink does with the next DATA command (after reading the message). */
export type DataBehaviour =
  | { kind: 'accept' }
  | { kind: 'reply'; code: number; message?: string }
  | { kind: 'hold'; until: Promise<void> }
  /** Keeps the mail (the server had all of it) and drops the connection without a reply. */
  | { kind: 'drop' };

export interface SmtpSink {
  port: number;
  url: string;
  mails: ReceivedMail[];
  /** SMTP sessions opened so far (pooling keeps this low). */
  connections: number;
  /** Mails carrying this X-Notification-Id header. */
  mailsFor(notificationId: string): ReceivedMail[];
  /** Reply to RCPT TO with this code (e.g. 550), or undefined to accept. */
  rcptReply?: number;
  /** Per-address RCPT TO replies (e.g. one greylisting mailbox answering 451); win over rcptReply. */
  rcptReplies: Map<string, number>;
  /** Reply to every new connection with this code instead of the greeting (e.g. 421), then close. */
  connectReply?: number;
  onData: (mail: ReceivedMail) => DataBehaviour;
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) on 127.0.0.1 that keeps what it receives. */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const sink: SmtpSink = {
    port: 0,
    url: '',
    mails: [],
    connections: 0,
    rcptReplies: new Map(),
    mailsFor: (id) => sink.mails.filter((m) => m.notificationId === id),
    onData: () => ({ kind: 'accept' }),
    close: async () => undefined,
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_session, callback) {
      sink.connections += 1;
      if (sink.connectReply) return callback(Object.assign(new Error('service not available'), { responseCode: sink.connectReply }));
      callback();
    },
    onRcptTo(address, _session, callback) {
      const reply = sink.rcptReplies.get(address.address) ?? sink.rcptReply;
      if (reply) return callback(Object.assign(new Error('mailbox unavailable'), { responseCode: reply }));
      callback();
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const mail: ReceivedMail = {
          raw,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          notificationId: raw.match(/^X-Notification-Id:\s*(.+?)\r?$/im)?.[1],
        };
        const behaviour = sink.onData(mail);
        if (behaviour.kind === 'reply') {
          callback(Object.assign(new Error(behaviour.message ?? 'rejected'), { responseCode: behaviour.code }));
          return;
        }
        sink.mails.push(mail);
        if (behaviour.kind === 'drop') return connectionOf(session.id)?.destroy();
        if (behaviour.kind === 'hold') behaviour.until.then(() => callback(), () => callback());
        else callback();
      });
    },
  });
  // smtp-server keeps its connections, each with the session's id and its socket.
  const connectionOf = (id: string) =>
    [...(server as unknown as { connections: Set<{ id: string; _socket: import('node:net').Socket }> }).connections].find((c) => c.id === id)?._socket;
  // A dropped client connection is not the server's failure.
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  sink.port = (server.server.address() as AddressInfo).port;
  sink.url = `smtp://127.0.0.1:${sink.port}`;
  sink.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return sink;
}
