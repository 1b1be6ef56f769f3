import {
  classifySmtpError,
  PERMANENT_ERROR_CODES,
  PERMANENT_REPLY_CODES,
  TRANSIENT_ERROR_CODES,
  RECIPIENT_COMMANDS,
  TRANSIENT_REPLY_CODES,
} from '../../../../src/channels/email/outcomes';
import { SmtpNoReplyError } from '../../../../src/channels/email/smtp-pool';
import { OutcomeUnknownError, PermanentError, TransientError } from '../../../../src/delivery/failures';

/** What nodemailer raises: an Error with code, responseCode, command; the message may hold addresses. */
function smtpError(fields: { code?: string; responseCode?: number; command?: string }): Error {
  return Object.assign(new Error('Recipient <alice@example.com> rejected'), fields);
}

describe('classifySmtpError: reply codes', () => {
  test.each(Object.entries(PERMANENT_REPLY_CODES))('when the server replies %s, then it is permanent %s', (reply, code) => {
    const err = smtpError({ responseCode: Number(reply), command: 'RCPT TO', code: 'EENVELOPE' });
    const classified = classifySmtpError(err);
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classified).toMatchObject({ code, message: `SMTP ${reply} RCPT TO EENVELOPE`, cause: err });
  });

  test.each(Object.entries(TRANSIENT_REPLY_CODES))('when the server replies %s to MAIL FROM, then it is transient %s', (reply, code) => {
    const err = smtpError({ responseCode: Number(reply), command: 'MAIL FROM', code: 'EENVELOPE' });
    const classified = classifySmtpError(err);
    expect(classified).toBeInstanceOf(TransientError);
    expect(classified).toMatchObject({ code, cause: err });
  });

  const recipientReplies = [...RECIPIENT_COMMANDS].flatMap((command) =>
    [...Object.keys(TRANSIENT_REPLY_CODES).map(Number), 432, 499].filter((r) => r !== 421).map((reply) => [reply, command] as const),
  );
  test.each(recipientReplies)('when the server replies %i to %s, then it is RECIPIENT_DEFERRED (a healthy answer about one address)', (reply, command) => {
    const classified = classifySmtpError(smtpError({ responseCode: reply, command, code: 'EENVELOPE' }));
    expect(classified).toBeInstanceOf(TransientError);
    expect(classified.code).toBe('RECIPIENT_DEFERRED');
  });

  test.each([...RECIPIENT_COMMANDS])('when the server replies 421 to %s, then it is PROVIDER_UNAVAILABLE (the server closes the channel)', (command) => {
    expect(classifySmtpError(smtpError({ responseCode: 421, command })).code).toBe('PROVIDER_UNAVAILABLE');
  });

  test.each([505, 523, 557, 599])('when the server replies an unlisted %i, then it is permanent PROVIDER_REJECTED', (reply) => {
    const classified = classifySmtpError(smtpError({ responseCode: reply }));
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classified.code).toBe('PROVIDER_REJECTED');
  });

  test.each([400, 432, 471, 499])('when the server replies an unlisted %i, then it is transient PROVIDER_UNAVAILABLE', (reply) => {
    const classified = classifySmtpError(smtpError({ responseCode: reply }));
    expect(classified).toBeInstanceOf(TransientError);
    expect(classified.code).toBe('PROVIDER_UNAVAILABLE');
  });

  test('when both a reply and an error code are present, then the reply decides', () => {
    expect(classifySmtpError(smtpError({ responseCode: 421, code: 'EAUTH' }))).toBeInstanceOf(TransientError);
    expect(classifySmtpError(smtpError({ responseCode: 550, code: 'ECONNECTION' })).code).toBe('INVALID_RECIPIENT');
  });
});

describe('classifySmtpError: no reply at all', () => {
  const noReply = (handedOver: boolean, timedOut: boolean) => new SmtpNoReplyError('no reply', { handedOver, timedOut, code: 'ECONNRESET' });

  test.each([true, false])('when no reply came after the message was handed over (timed out: %s), then the outcome is unknown', (timedOut) => {
    const classified = classifySmtpError(noReply(true, timedOut));
    expect(classified).toBeInstanceOf(OutcomeUnknownError);
    expect(classified.message).toMatch(/after the message was handed over/);
  });

  test('when the deadline passed before the message was handed over, then it is transient PROVIDER_TIMEOUT', () => {
    expect(classifySmtpError(noReply(false, true))).toMatchObject({ kind: 'transient', code: 'PROVIDER_TIMEOUT' });
  });

  test('when the connection failed before the message was handed over, then it is transient PROVIDER_UNAVAILABLE', () => {
    expect(classifySmtpError(noReply(false, false))).toMatchObject({ kind: 'transient', code: 'PROVIDER_UNAVAILABLE' });
  });
});

describe('classifySmtpError: error codes without a reply', () => {
  test.each(Object.entries(TRANSIENT_ERROR_CODES))('when nodemailer fails with %s, then it is transient %s', (errCode, code) => {
    const err = smtpError({ code: errCode });
    const classified = classifySmtpError(err);
    expect(classified).toBeInstanceOf(TransientError);
    expect(classified).toMatchObject({ code, message: errCode, cause: err });
  });

  test.each(Object.entries(PERMANENT_ERROR_CODES))('when nodemailer fails with %s, then it is permanent %s', (errCode, code) => {
    const err = smtpError({ code: errCode, command: 'API' });
    const classified = classifySmtpError(err);
    expect(classified).toBeInstanceOf(PermanentError);
    expect(classified).toMatchObject({ code, message: `API ${errCode}`, cause: err });
  });

  test('when a reply outside 4xx/5xx comes with a known error code, then the error code decides', () => {
    expect(classifySmtpError(smtpError({ responseCode: 250, code: 'EAUTH' })).code).toBe('BAD_CREDENTIALS');
  });

  test('when the error code is unknown, then it is transient PROVIDER_UNAVAILABLE', () => {
    expect(classifySmtpError(smtpError({ code: 'EWHATEVER' }))).toMatchObject({ kind: 'transient', code: 'PROVIDER_UNAVAILABLE' });
  });

  test.each([
    ['an Error without code', new Error('socket hang up')],
    ['undefined', undefined],
    ['null', null],
    ['a string', 'oops'],
  ])('when the failure is %s, then it is transient PROVIDER_UNAVAILABLE named "SMTP error"', (_, err) => {
    expect(classifySmtpError(err)).toMatchObject({ kind: 'transient', code: 'PROVIDER_UNAVAILABLE', message: 'SMTP error' });
  });

  test('when the provider message contains an address, then the classified message does not', () => {
    const classified = classifySmtpError(smtpError({ responseCode: 550, command: 'RCPT TO' }));
    expect(classified.message).not.toContain('alice');
  });
});
