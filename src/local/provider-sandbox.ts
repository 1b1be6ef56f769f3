/**
 * The provider sandbox of `npm start`: one local HTTP server answering like Twilio, FCM (and
 * the GCE metadata server's token endpoint), LINE and Slack on the paths the channels call,
 * plus a webhook receiver. It checks the essentials — the local credentials, content type,
 * required fields — and refuses a malformed request as the provider would, so a local mistake
 * shows. Every accepted message is kept, served at `GET /messages`, shown on the inbox page at
 * `GET /` (inbox-page.ts), and printed as one line.
 * A simple receiver, not a verifier of every documented detail: the channel tests' stand-ins
 * (test/support/providers) are that. Like the providers, it calls back: a route's answer may
 * carry follow-ups (Twilio's signed status callbacks a moment after a message with a
 * StatusCallback, a simulated incoming STOP), run after the answer and printed as they end.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LOCAL_PROVIDER_CREDENTIALS } from '../config';
import { SANDBOXED_MODULES, SandboxCredentials } from '../channels/registry';
import { SandboxAnswer, SandboxMessage, SandboxRequest, SandboxRoute } from '../channels/sandbox-http';
import type { AnswerWithFollowUps, SandboxFollowUp } from '../channels/sms/sandbox-callbacks';
import { WEBHOOK_RECEIVER_PATH } from '../channels/webhook/sandbox';
import { makeInbox } from './inbox-page';

export type { SandboxMessage };
/** The credentials the sandbox accepts (npm start: the local ones). */
export type ProviderCredentials = SandboxCredentials;

export interface ProviderSandboxOptions {
  /** 0 picks a free port. */
  port: number;
  /** Defaults to 127.0.0.1. */
  host?: string;
  /** What the sandbox accepts; defaults to the local credentials `npm start` configures. */
  credentials?: ProviderCredentials;
  /** The secret webhook signatures are verified with; defaults to the credentials' one. */
  webhookSigningSecret?: string;
  /** One line per accepted message, per refused request, and per repeat. */
  say?(line: string): void;
  /** Pages served before the provider routes (npm start: the template preview); true when it answered. */
  pages?(req: IncomingMessage, res: ServerResponse): boolean;
  /** MailDev's web UI, linked from the inbox page for email (npm start: the mail catcher's). */
  mailUiUrl?: string;
}

export interface ProviderSandbox {
  /** `http://host:port`, without a trailing slash: the base URL for Twilio, FCM and LINE. */
  url: string;
  port: number;
  /** `host:port`, for GCE_METADATA_HOST. */
  metadataHost: string;
  /** Where webhooks may be sent to be verified and kept (any path below it too). */
  webhookReceiverUrl: string;
  /** Every accepted message, newest last (what `GET /messages` serves). */
  messages: readonly SandboxMessage[];
  close(): Promise<void>;
}

/** Bodies past this are refused: a webhook payload may be 1 MiB, and the envelope adds a little. */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** Every sandboxed channel module's routes; the webhook receiver verifies with `webhookSigningSecret`. */
function routesFor(c: ProviderCredentials, webhookSigningSecret: string): SandboxRoute[] {
  return SANDBOXED_MODULES.flatMap((m) => m.sandbox.routes({ ...c, webhookSigningSecret }));
}

const matches = (route: SandboxRoute, path: string) => (typeof route.path === 'string' ? route.path === path : route.path.test(path));

/** One line for a message: `SMS to +819012345678: Your code is 1234`. */
export function describeMessage(m: SandboxMessage): string {
  const what = m.channel === 'WEBHOOK' ? JSON.stringify((m.body as { data?: unknown } | undefined)?.data ?? m.body) : [m.title, m.text].filter(Boolean).join(' — ');
  const oneLine = what.replace(/\s+/g, ' ');
  return `${m.channel} to ${m.recipient}: ${oneLine.length > 200 ? `${oneLine.slice(0, 199)}…` : oneLine}`;
}

function answerFor(routes: SandboxRoute[], req: SandboxRequest, messages: SandboxMessage[]): AnswerWithFollowUps {
  if (req.method === 'GET' && req.path === '/messages') {
    const channel = req.query.get('channel')?.toUpperCase();
    return { status: 200, body: channel ? messages.filter((m) => m.channel === channel) : messages };
  }
  const found = routes.filter((r) => matches(r, req.path));
  const route = found.find((r) => r.method === req.method);
  if (route) return route.handle(req);
  if (found.length > 0) return { status: 405, body: { error: `${req.method} is not allowed on ${req.path}` }, problem: 'method not allowed' };
  return { status: 404, body: { error: `the provider sandbox has no ${req.path}; GET /messages lists what it received` }, problem: 'unknown path' };
}

function send(res: ServerResponse, answer: SandboxAnswer): void {
  const json = typeof answer.body === 'object';
  const body = json ? JSON.stringify(answer.body) : (answer.body ?? '');
  res.writeHead(answer.status, { ...(json && { 'content-type': 'application/json' }), ...answer.headers }).end(body);
}

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks) : undefined));
    req.on('error', reject);
  });
}

/** Runs follow-ups after their delay, each line printed; close() cancels the pending ones and waits for the running ones. */
function followUpRunner(say: (line: string) => void) {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  return {
    schedule(followUp: SandboxFollowUp) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        const run = followUp.run().then(say, (err: Error) => say(`follow-up failed: ${err.message}`));
        running.add(run);
        void run.finally(() => running.delete(run));
      }, followUp.afterMs);
      timers.add(timer);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.allSettled([...running]);
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`the provider sandbox's port ${host}:${port} is taken; stop what uses it or set LOCAL_PROVIDERS_PORT`) : err),
    );
    server.listen(port, host, () => resolve());
  });
}

export async function startProviderSandbox(opts: ProviderSandboxOptions): Promise<ProviderSandbox> {
  const host = opts.host ?? '127.0.0.1';
  const credentials = opts.credentials ?? LOCAL_PROVIDER_CREDENTIALS;
  const routes = routesFor(credentials, opts.webhookSigningSecret ?? credentials.webhookSigningSecret);
  const say = opts.say ?? (() => undefined);
  const messages: SandboxMessage[] = [];
  const followUps = followUpRunner(say);
  const inbox = makeInbox(messages, { mailUiUrl: opts.mailUiUrl });

  const server = createServer((req, res) => {
    if (opts.pages?.(req, res) || inbox(req, res)) return;
    void readBody(req).then((body) => {
      const url = new URL(req.url ?? '/', 'http://sandbox');
      const request = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: body ?? Buffer.alloc(0) };
      const answer: AnswerWithFollowUps = body ? answerFor(routes, request, messages) : { status: 413, body: { error: 'request body too large' }, problem: 'body too large' };
      if (answer.message) {
        const message = { ...answer.message, receivedAt: new Date().toISOString() };
        messages.push(message);
        say(describeMessage(message));
      }
      if (answer.problem) say(`provider sandbox refused ${request.method} ${request.path} with ${answer.status}: ${answer.problem}`);
      if (answer.note) say(answer.note);
      send(res, answer);
      for (const followUp of answer.followUps ?? []) followUps.schedule(followUp);
    }, () => res.destroy());
  });
  await listen(server, opts.port, host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  return {
    url,
    port,
    metadataHost: `${host}:${port}`,
    webhookReceiverUrl: `${url}${WEBHOOK_RECEIVER_PATH}`,
    messages,
    async close() {
      await followUps.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
