/**
 * What the two reference servers (naive-server.ts, ceiling-server.ts) share: a bare
 * `node:http` push endpoint, their environment, and the notifier's own email channel built
 * from the same settings the notifier gets, so that no ratio measures SMTP tuning.
 *
 * env: PORT, SMTP_URL, EMAIL_FROM, SMTP_POOL_SIZE, SEND_TIMEOUT_MS (+ whatever the server reads)
 */
import http from 'node:http';
import { makeEmailChannel } from '../src/channels/email/channel';
import type { Channel } from '../src/delivery/ports';

/** The named variable's value; a missing one stops start-up. */
export type Env = (name: string) => string;

/** A started reference server: what answers a push body, and what SIGTERM closes. */
export interface PushHandler {
  /** The HTTP status for one push body; a rejection answers 503 (Pub/Sub redelivers). */
  handle(body: Buffer): Promise<number>;
  close?(): Promise<unknown>;
}

/** The Pub/Sub push envelope read the trusting way: the payload bytes and the attributes. */
export function readPush(body: Buffer): { data: Buffer; attributes: Record<string, string> } {
  const { message } = JSON.parse(body.toString('utf8')) as { message: { data: string; attributes?: Record<string, string> } };
  return { data: Buffer.from(message.data, 'base64'), attributes: message.attributes ?? {} };
}

/** POST /pubsub/push → `handle`; anything else 404. */
function serve(name: string, handle: PushHandler['handle']): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/pubsub/push') {
        res.writeHead(404).end();
        return;
      }
      handle(Buffer.concat(chunks)).then(
        (status) => res.writeHead(status).end(),
        (err: Error) => {
          process.stderr.write(`${name}: ${err.message}\n`);
          res.writeHead(503).end();
        },
      );
    });
  });
}

/**
 * Runs a reference server as its child process's main: `start` gets the environment and
 * the email channel (closed on SIGTERM after what `start` returned), then the server
 * listens on PORT. A failed start exits 1 with its reason on stderr.
 */
export function runPushServer(name: string, start: (env: Env, email: Channel) => Promise<PushHandler>): void {
  const env: Env = (variable) => {
    const value = process.env[variable];
    if (!value) throw new Error(`${name}: ${variable} is required`);
    return value;
  };
  const main = async () => {
    const email = makeEmailChannel({
      url: env('SMTP_URL'),
      from: env('EMAIL_FROM'),
      poolSize: Number(env('SMTP_POOL_SIZE')),
      sendTimeoutMs: Number(env('SEND_TIMEOUT_MS')),
    });
    const handler = await start(env, email);
    const server = serve(name, (body) => handler.handle(body));
    server.listen(Number(env('PORT')), '127.0.0.1');
    process.once('SIGTERM', () => {
      server.close();
      void Promise.allSettled([handler.close?.(), email.close()]).then(() => process.exit(0));
    });
  };
  main().catch((err: Error) => {
    process.stderr.write(`${name}: failed to start: ${err.message}\n`);
    process.exit(1);
  });
}
