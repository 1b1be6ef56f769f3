import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { signInternal } from '../../../src/codec/internal-attributes';
import type { Deliver, PushedMessage } from '../../../src/delivery/deliver';
import { createLogger } from '../../../src/logging';
import { createApp } from '../../../src/http/app';
import { noAuthentication } from '../../../src/http/auth';

/** What the push endpoint hands to delivery, for messages with notifier_* attributes. */

const KEY = 'k'.repeat(32);
const UNTIL = Date.parse('2026-12-08T09:00:00Z');
const delivered: PushedMessage[] = [];
const deliver = (async (msg: PushedMessage) => {
  delivered.push(msg);
  return { outcome: 'sent', messageId: msg.messageId };
}) as Deliver;

let server: Server;
let url: string;

beforeAll(async () => {
  const logs = new PassThrough();
  logs.resume();
  const app = createApp({ deliver, authenticator: noAuthentication, log: createLogger('error', logs), projectId: 'p', isReady: async () => true, signingKeys: [KEY], unsignedUntilMs: UNTIL });
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pubsub/push`;
});

afterEach(() => {
  delivered.length = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const data = Buffer.from('{"notificationId":"n-1"}');
const internal = { origin: 'orders', notifier_target: 'EMAIL:0a1b2c3d' };

async function pushed(attributes: Record<string, string>, publishTime?: string): Promise<Record<string, string>> {
  const body = JSON.stringify({ message: { messageId: 'm-1', data: data.toString('base64'), attributes, ...(publishTime && { publishTime }) }, subscription: 's' });
  expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(204);
  return delivered.at(-1)!.attributes;
}

test('when notifier_* attributes are signed, then delivery gets them without the signature', async () => {
  expect(await pushed(signInternal(data, internal, KEY), '2026-12-09T00:00:00Z')).toEqual(internal);
});

test('when unsigned notifier_* attributes come on a message published after INTERNAL_UNSIGNED_UNTIL, then delivery gets only the producer\'s', async () => {
  expect(await pushed(internal, '2026-12-08T09:00:00Z')).toEqual({ origin: 'orders' });
});

test('when unsigned notifier_* attributes come on a message published before INTERNAL_UNSIGNED_UNTIL (an upgrade\'s backlog), then delivery gets them', async () => {
  expect(await pushed(internal, '2026-12-08T08:59:59.999Z')).toEqual(internal);
});

test('when a message has no readable publishTime, then unsigned notifier_* attributes are dropped', async () => {
  expect(await pushed(internal)).toEqual({ origin: 'orders' });
  expect(await pushed(internal, 'yesterday')).toEqual({ origin: 'orders' });
});
