import { makeSmsChannel } from '../../../../src/channels/sms/channel';
import { CHANNELS } from '../../../../src/codec/notification';
import type { Channel } from '../../../../src/delivery/ports';
import { HttpStub, startHttpStub } from '../../../support/http-stub';
import { aNotification } from '../../fakes';

const ACCOUNT = `AC${'0123456789abcdef'.repeat(2)}`;
const CALLBACK = 'https://notifier.example.com/v1/callbacks/twilio/status';

let stub: HttpStub;
const channels: Channel[] = [];

beforeAll(async () => {
  stub = await startHttpStub(() => ({ status: 201, body: { sid: `SM${'1'.repeat(32)}`, status: 'queued' } }));
});
afterAll(async () => {
  await Promise.all(channels.map((c) => c.close()));
  await stub.close();
});

function send(statusCallbackUrl?: string) {
  const channel = makeSmsChannel({ baseUrl: stub.url, accountSid: ACCOUNT, authToken: 't', from: '+15005550006', timeoutMs: 2000, ...(statusCallbackUrl && { statusCallbackUrl }) });
  channels.push(channel);
  return channel.send(aNotification({ channel: CHANNELS.SMS, email: undefined, sms: { to: '+819012345678', body: 'Your code is 1234' } }));
}

describe('makeSmsChannel: StatusCallback (Twilio Messages create)', () => {
  test('when a status callback URL is configured, then each Messages create carries it as StatusCallback', async () => {
    await send(CALLBACK);
    const req = stub.requests.at(-1)!;
    expect(req.path).toBe(`/2010-04-01/Accounts/${ACCOUNT}/Messages.json`);
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({ To: '+819012345678', From: '+15005550006', Body: 'Your code is 1234', StatusCallback: CALLBACK });
  });

  test('when none is configured, then no StatusCallback is sent', async () => {
    await send();
    expect(new URLSearchParams(stub.requests.at(-1)!.body).has('StatusCallback')).toBe(false);
  });
});
