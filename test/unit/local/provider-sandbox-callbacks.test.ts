import { makeSmsChannel } from '../../../src/channels/sms/channel';
import { CHANNELS } from '../../../src/codec/notification';
import { LOCAL_PROVIDER_CREDENTIALS as LOCAL } from '../../../src/config';
import type { Channel } from '../../../src/delivery/ports';
import { ProviderSandbox, startProviderSandbox } from '../../../src/local/provider-sandbox';
import { HttpStub, RecordedRequest, startHttpStub } from '../../support/http-stub';
import { eventually } from '../../support/notifier';
import { twilioSignatureOf } from '../../support/providers/callbacks';
import { aNotification } from '../fakes';

/** The notifier's side, as a plain receiver: every callback the sandbox makes is recorded. */
let notifier: HttpStub;
let sandbox: ProviderSandbox;
let lines: string[];
const channels: Channel[] = [];
const statusUrl = () => `${notifier.url}/v1/callbacks/twilio/status`;
const inboundUrl = () => `${notifier.url}/v1/callbacks/twilio/inbound`;

beforeEach(async () => {
  lines = [];
  notifier = await startHttpStub(() => ({ status: 204 }));
  sandbox = await startProviderSandbox({ port: 0, credentials: { ...LOCAL, twilioInboundWebhookUrl: inboundUrl() }, say: (l) => lines.push(l) });
});
afterEach(async () => {
  await Promise.all(channels.splice(0).map((c) => c.close()));
  await sandbox.close();
  await notifier.close();
});

function smsChannel(statusCallbackUrl?: string): Channel {
  const ch = makeSmsChannel({ baseUrl: sandbox.url, accountSid: LOCAL.twilioAccountSid, authToken: LOCAL.twilioAuthToken, from: LOCAL.twilioFrom, timeoutMs: 3000, ...(statusCallbackUrl && { statusCallbackUrl }) });
  channels.push(ch);
  return ch;
}
const sms = (to: string) => aNotification({ channel: CHANNELS.SMS, email: undefined, sms: { to, body: 'Your code is 1234' } });
const fields = (r: RecordedRequest) => Object.fromEntries(new URLSearchParams(r.body));
const callbacksFor = (sid: string) => notifier.requests.filter((r) => fields(r).MessageSid === sid);

/** Whether the request carries the X-Twilio-Signature Twilio would give it for `url` with the local auth token. */
const signedAsTwilio = (r: RecordedRequest, url: string) => r.headers['x-twilio-signature'] === twilioSignatureOf(LOCAL.twilioAuthToken, url, fields(r));

describe('provider sandbox: Twilio status callbacks', () => {
  test('when a message with a StatusCallback is accepted, then the sandbox posts sent and then delivered, each signed for that URL', async () => {
    const { providerMessageId: sid } = await smsChannel(statusUrl()).send(sms('+819012345678'));
    const calls = await eventually('two callbacks', () => (callbacksFor(sid!).length === 2 ? callbacksFor(sid!) : undefined));
    expect(calls.map((r) => fields(r).MessageStatus)).toEqual(['sent', 'delivered']);
    for (const r of calls) {
      expect(r.method).toBe('POST');
      expect(r.path).toBe('/v1/callbacks/twilio/status');
      expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
      expect(signedAsTwilio(r, statusUrl())).toBe(true);
      expect(fields(r)).toMatchObject({ MessageSid: sid, SmsSid: sid, AccountSid: LOCAL.twilioAccountSid, From: LOCAL.twilioFrom, To: '+819012345678', ApiVersion: '2010-04-01' });
      expect(fields(r)).not.toHaveProperty('ErrorCode');
    }
    await eventually('the printed lines', () => lines.find((l) => l.startsWith(`SMS status callback delivered for ${sid} → ${statusUrl()}: 204`)));
  });

  test.each([
    ['+15005550002', [['sent', undefined], ['undelivered', '30003']]],
    ['+15005550004', [['failed', '21610']]],
  ])('when the message goes to the test number %s, then the callbacks report %j', async (to, expected) => {
    const { providerMessageId: sid } = await smsChannel(statusUrl()).send(sms(to));
    const calls = await eventually('the callbacks', () => (callbacksFor(sid!).length === expected.length ? callbacksFor(sid!) : undefined));
    expect(calls.map((r) => [fields(r).MessageStatus, fields(r).ErrorCode])).toEqual(expected);
    expect(calls.every((r) => signedAsTwilio(r, statusUrl()))).toBe(true);
  });

  test('when a message names no StatusCallback, then no callback is made for it', async () => {
    const { providerMessageId: quiet } = await smsChannel().send(sms('+819012345678'));
    const { providerMessageId: loud } = await smsChannel(statusUrl()).send(sms('+819012345678'));
    await eventually('the later message\'s callbacks', () => callbacksFor(loud!).length === 2 || undefined);
    expect(callbacksFor(quiet!)).toEqual([]);
  });

  test('when the notifier refuses a callback, then the sandbox prints the refusal', async () => {
    notifier.respond = () => ({ status: 401 });
    const { providerMessageId: sid } = await smsChannel(statusUrl()).send(sms('+819012345678'));
    await eventually('the refusal line', () => lines.find((l) => l.startsWith(`SMS status callback sent for ${sid}`) && l.endsWith(': 401 (refused)')));
  });
});

describe('provider sandbox: a simulated incoming STOP', () => {
  test('when a STOP reply is simulated, then the incoming-message webhook gets it from that number to the local sender, signed', async () => {
    const res = await fetch(`${sandbox.url}/simulate/twilio/inbound`, { method: 'POST', body: new URLSearchParams({ From: '+819087654321' }) });
    expect(res.status).toBe(202);
    const [call] = await eventually('the incoming message', () => (notifier.requests.length > 0 ? notifier.requests : undefined));
    expect(call!.path).toBe('/v1/callbacks/twilio/inbound');
    expect(fields(call!)).toMatchObject({ From: '+819087654321', To: LOCAL.twilioFrom, Body: 'STOP', AccountSid: LOCAL.twilioAccountSid });
    expect(signedAsTwilio(call!, inboundUrl())).toBe(true);
  });

  test('when the simulation names another body and OptOutType in the query, then they are sent as given', async () => {
    const res = await fetch(`${sandbox.url}/simulate/twilio/inbound?From=%2B819087654321&Body=Arr%C3%AAt&OptOutType=STOP`, { method: 'POST' });
    expect(res.status).toBe(202);
    const [call] = await eventually('the incoming message', () => (notifier.requests.length > 0 ? notifier.requests : undefined));
    expect(fields(call!)).toMatchObject({ Body: 'Arrêt', OptOutType: 'STOP' });
    expect(signedAsTwilio(call!, inboundUrl())).toBe(true);
  });

  test('when From is missing, then 400; when no incoming-message webhook is configured, then 409', async () => {
    expect((await fetch(`${sandbox.url}/simulate/twilio/inbound`, { method: 'POST' })).status).toBe(400);
    const bare = await startProviderSandbox({ port: 0 });
    try {
      const res = await fetch(`${bare.url}/simulate/twilio/inbound`, { method: 'POST', body: new URLSearchParams({ From: '+819087654321' }) });
      expect(res.status).toBe(409);
    } finally {
      await bare.close();
    }
  });
});
