import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import type { Deliver } from '../../../src/delivery/deliver';
import type { ProviderReport } from '../../../src/delivery/provider-reports';
import { createApp } from '../../../src/http/app';
import { noAuthentication } from '../../../src/http/auth';
import { createCallbacksRouter } from '../../../src/http/callbacks';
import { createLogger } from '../../../src/logging';
import { postTwilio } from '../../support/providers/callbacks';

const PUBLIC_URL = 'https://notifier.example.com';
const TOKEN = 'twilio-token';
const reports: ProviderReport[] = [];
const fakeReports = {
  report: async (r: ProviderReport) => (reports.push(r), 'recorded' as const),
  suppress: async () => undefined,
  unsuppressOptOut: async () => false,
};

let server: Server;
let url: string;

beforeAll(async () => {
  const log = createLogger('error', new PassThrough().resume());
  const deliver = (async () => ({ outcome: 'sent' })) as unknown as Deliver;
  // As main.ts wires it: the notifier's app first, the callbacks router added to it.
  const app = createApp({ deliver, authenticator: noAuthentication, log, projectId: 'p', isReady: async () => true });
  app.use(createCallbacksRouter({ reports: fakeReports, twilioAuthToken: TOKEN, publicUrl: PUBLIC_URL, log }));
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the callbacks router on the notifier app', () => {
  test('when the router is added after createApp, then a signed status callback reaches it and pushes still work', async () => {
    const params = { MessageSid: `SM${'1'.repeat(32)}`, MessageStatus: 'delivered', To: '+819012345678' };
    const res = await postTwilio(`${url}/v1/callbacks/twilio/status`, params, { authToken: TOKEN, signedUrl: `${PUBLIC_URL}/v1/callbacks/twilio/status` });
    expect(res.status).toBe(204);
    expect(reports).toEqual([expect.objectContaining({ providerMessageId: params.MessageSid, event: 'delivered' })]);
    const push = await fetch(`${url}/pubsub/push`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message: { messageId: 'm', data: '' }, subscription: 's' }) });
    expect(push.status).toBe(204);
  });

  test('when a path is neither a push nor a callback, then 404 as before', async () => {
    expect((await fetch(`${url}/v1/callbacks/unknown`, { method: 'POST' })).status).toBe(404);
  });
});
