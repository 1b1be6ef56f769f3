import { makeEmailChannel, smtpConnection } from '../../../../src/channels/email/channel';
import { PermanentError } from '../../../../src/delivery/failures';
import { aNotification } from '../../fakes';

describe('makeEmailChannel (without a server)', () => {
  const channel = makeEmailChannel({ url: 'smtp://127.0.0.1:1', from: 'noreply@example.com', poolSize: 1, sendTimeoutMs: 1000 });
  afterAll(() => channel.close());

  test('when built, then it is the EMAIL channel', () => {
    expect(channel.name).toBe('EMAIL');
  });

  test('when describing the recipient, then the address is masked', () => {
    expect(channel.describeRecipient(aNotification())).toBe('a***@example.com');
  });

  test('when the notification has no email payload, then the recipient is fully masked', () => {
    expect(channel.describeRecipient(aNotification({ email: undefined }))).toBe('***');
  });

  test('when sending a notification without an email payload, then it fails permanently with INVALID_PAYLOAD', async () => {
    const sending = channel.send(aNotification({ email: undefined }));
    await expect(sending).rejects.toBeInstanceOf(PermanentError);
    await expect(sending).rejects.toMatchObject({ code: 'INVALID_PAYLOAD' });
  });
});

describe('smtpConnection', () => {
  test('when the URL is smtp:// with credentials, then host, port, auth are parsed and the connection is not implicit TLS', () => {
    expect(smtpConnection('smtp://user%40x:p%3Ass@mail.example.com:2525')).toEqual({
      host: 'mail.example.com',
      port: 2525,
      secure: false,
      auth: { user: 'user@x', pass: 'p:ss' },
    });
  });

  test('when the URL is smtps:// without a port or credentials, then port 465 with implicit TLS and no auth', () => {
    expect(smtpConnection('smtps://mail.example.com')).toEqual({ host: 'mail.example.com', port: 465, secure: true });
  });
});
