/**
 * The upper bound the notifier is measured against: everything a delivery needs that is
 * not MySQL — HTTP POST /pubsub/push, the envelope, the notifier's own decode and
 * validation of the notification, and the notifier's own email send — and nothing else:
 * no lock, no ledger, no logging, no express. What the machine can do with the work no
 * design can skip; the notifier's throughput over this one is the share its exactly-once
 * machinery leaves.
 *
 * Without a ledger, a redelivery is a second mail: the benchmark pushes it first
 * deliveries only.
 *
 * env: those of push-server.ts
 */
import path from 'node:path';
import type { Channel } from '../src/delivery/ports';
import { readPush, runPushServer } from './push-server';

/**
 * The codec as the notifier runs it, from its build in dist/ (which the benchmark builds):
 * compiled into dist-bench/, src/paths.ts would look for the proto beside dist-bench/.
 */
const fromNotifierBuild = <T>(module: string): T => require(path.resolve(__dirname, '../../dist', module)) as T;
const { decodeNotification, encodingOf } = fromNotifierBuild<typeof import('../src/codec/codec')>('codec/codec');
const { describeProblems, validateNotification } = fromNotifierBuild<typeof import('../src/codec/validate')>('codec/validate');

/** The notifier's default SCHEMA_ENCODING, for a message without the schema attribute. */
const DEFAULT_ENCODING = 'JSON';

async function deliver(email: Channel, body: Buffer): Promise<number> {
  const { data, attributes } = readPush(body);
  const n = decodeNotification(data, encodingOf(attributes, DEFAULT_ENCODING));
  const problems = validateNotification(n);
  // The benchmark sends only valid notifications: anything else is a bug of the bench (503).
  if (problems.length > 0) throw new Error(`invalid notification: ${describeProblems(problems)}`);
  await email.send(n);
  return 204;
}

if (require.main === module) {
  runPushServer('ceiling-server', async (_env, email) => ({ handle: (body) => deliver(email, body) }));
}
