/**
 * The local mail side of `npm start`: MailDev (SMTP server and web UI), and what SendGrid
 * would report about the mails it receives. Every mail gets the events SendGrid's Event
 * Webhook would post, POSTed to the notifier as SendGrid posts them: a JSON array, signed with
 * ECDSA over the timestamp and the body (X-Twilio-Email-Event-Webhook-*; the docs are cited in
 * src/channels/email/sendgrid-events.ts). Recipients pick the outcome: bounce@example.com
 * bounces, complaint@example.com is delivered and then reported as spam, anyone else is
 * delivered.
 */
import { spawn } from 'node:child_process';
import { KeyObject, randomBytes } from 'node:crypto';
import { SENDGRID_SIGNATURE_HEADER, SENDGRID_TIMESTAMP_HEADER, signSendGridEvents } from '../channels/email/sendgrid-events';

export interface MailCatcher {
  smtpUrl: string;
  /** The web UI, and its REST API at `/email`. */
  uiUrl: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

export interface MailCatcherOptions {
  smtpPort: number;
  uiPort: number;
  timeoutMs?: number;
  /** When set, each mail received gets SendGrid-style signed events posted to the notifier (startMailEvents). */
  events?: Omit<MailEventsOptions, 'mailUiUrl'>;
}

/**
 * MailDev (SMTP + web UI) as a child process. A child, not a library: MailDev installs
 * its own SIGINT handler that exits the process, which would cut our shutdown short.
 */
export async function startMailCatcher(opts: MailCatcherOptions): Promise<MailCatcher> {
  const uiUrl = `http://127.0.0.1:${opts.uiPort}`;
  if (await answers(`${uiUrl}/healthz`)) throw new Error(`something already answers on ${uiUrl}; stop it or set LOCAL_MAIL_UI_PORT`);
  const args = ['--smtp', String(opts.smtpPort), '--web', String(opts.uiPort), '--ip', '127.0.0.1', '--silent'];
  const child = spawn(process.execPath, [require.resolve('maildev/bin/maildev'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-2000)));
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-2000)));
  const deadline = Date.now() + (opts.timeoutMs ?? 20000);
  while (!(await answers(`${uiUrl}/healthz`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the mail catcher (MailDev) did not start on SMTP ${opts.smtpPort} / web ${opts.uiPort}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const events = opts.events && startMailEvents({ ...opts.events, mailUiUrl: uiUrl });
  return {
    smtpUrl: `smtp://127.0.0.1:${opts.smtpPort}`,
    uiUrl,
    async stop() {
      await events?.close();
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// --- SendGrid-style events -------------------------------------------------------------------

/** The recipients that do not simply get `delivered`. */
export const TEST_ADDRESSES = { bounce: 'bounce@example.com', complaint: 'complaint@example.com' } as const;

export interface MailEventsOptions {
  /** MailDev's web UI and REST API, `http://127.0.0.1:1080`. */
  mailUiUrl: string;
  /** Where the events go: PUBLIC_URL + /v1/callbacks/sendgrid. */
  webhookUrl: string;
  /** Signs the events; the notifier verifies with its public half (SENDGRID_WEBHOOK_PUBLIC_KEY). */
  privateKey: KeyObject;
  say(line: string): void;
  /** How often MailDev is asked for new mail; a mail's events go out on the poll after the one that saw it. */
  pollMs?: number;
}

export interface MailEvents {
  close(): Promise<void>;
}

/** A mail as MailDev's REST API lists it (GET /email): its Message-ID without angle brackets, the SMTP envelope. */
interface MaildevMail {
  id: string;
  messageId?: string;
  envelope?: { to?: { address: string }[] };
  to?: { address: string }[];
}

type Event = Record<string, string | number>;

const eventId = () => randomBytes(16).toString('base64url');

/** The events SendGrid would report for one recipient of one mail. */
export function eventsFor(recipient: string, messageId: string, nowMs: number): Event[] {
  const base = { email: recipient, timestamp: Math.floor(nowMs / 1000), 'smtp-id': `<${messageId}>`, sg_message_id: `${randomBytes(11).toString('base64url')}.local` };
  const event = (name: string, extra: Event = {}): Event => ({ ...base, event: name, sg_event_id: eventId(), ...extra });
  const address = recipient.toLowerCase();
  if (address === TEST_ADDRESSES.bounce) {
    return [event('processed'), event('bounce', { type: 'bounce', status: '5.1.1', reason: '550 5.1.1 The email account that you tried to reach does not exist' })];
  }
  const delivered = [event('processed'), event('delivered', { response: '250 OK' })];
  return address === TEST_ADDRESSES.complaint ? [...delivered, event('spamreport')] : delivered;
}

async function listMail(uiUrl: string): Promise<MaildevMail[]> {
  const res = await fetch(`${uiUrl}/email`, { signal: AbortSignal.timeout(2000) });
  if (!res.ok) throw new Error(`MailDev answered ${res.status}`);
  return (await res.json()) as MaildevMail[];
}

/** Polls MailDev and posts each new mail's events; close() stops after the poll in progress. */
export function startMailEvents(opts: MailEventsOptions): MailEvents {
  const pollMs = opts.pollMs ?? 500;
  /** Mail seen once: its events go out on the next poll, after the notifier has recorded its Message-ID. */
  const waiting = new Set<string>();
  const done = new Set<string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();

  async function post(events: Event[]): Promise<void> {
    const body = Buffer.from(JSON.stringify(events));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const counts = events.map((e) => e.event).join(', ');
    try {
      const res = await fetch(opts.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SENDGRID_SIGNATURE_HEADER]: signSendGridEvents(opts.privateKey, timestamp, body), [SENDGRID_TIMESTAMP_HEADER]: timestamp },
        body,
        signal: AbortSignal.timeout(5000),
      });
      await res.arrayBuffer();
      opts.say(`mail events (${counts}) → ${opts.webhookUrl}: ${res.status}${res.ok ? '' : ' (refused)'}`);
    } catch (err) {
      opts.say(`mail events (${counts}) → ${opts.webhookUrl}: not delivered (${(err as Error).message})`);
    }
  }

  async function poll(): Promise<void> {
    let mails: MaildevMail[];
    try {
      mails = await listMail(opts.mailUiUrl);
    } catch {
      return; // MailDev is starting or stopping; the next poll asks again
    }
    const due = mails.filter((m) => waiting.has(m.id) && m.messageId);
    for (const m of mails) if (!done.has(m.id)) waiting.add(m.id);
    for (const m of due) {
      waiting.delete(m.id);
      done.add(m.id);
    }
    const now = Date.now();
    const events = due.flatMap((m) => (m.envelope?.to ?? m.to ?? []).flatMap((r) => eventsFor(r.address, m.messageId!, now)));
    if (events.length > 0) await post(events);
  }

  const loop = () => {
    if (stopped) return;
    polling = poll().finally(() => {
      if (!stopped) timer = setTimeout(loop, pollMs);
    });
  };
  timer = setTimeout(loop, pollMs);
  return {
    async close() {
      stopped = true;
      clearTimeout(timer);
      await polling;
    },
  };
}
