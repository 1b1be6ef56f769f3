/**
 * The sandbox's Twilio: Messages create, `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`
 * with HTTP Basic AccountSid:AuthToken and form fields To, Body, From or MessagingServiceSid,
 * and StatusCallback: a message that names one gets its signed status callbacks a moment
 * later (sandbox-callbacks.ts).
 */
import { randomBytes } from 'node:crypto';
import { header, mediaType, refuse, SandboxAnswer, SandboxRoute } from '../sandbox-http';
import { AnswerWithFollowUps, statusCallbacks } from './sandbox-callbacks';

const PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * Numbers that pick a failure, to try them locally: +15005550001 is refused as invalid (21211),
 * as Twilio's test credentials refuse it (https://www.twilio.com/docs/iam/test-credentials);
 * +15005550503 always gets a 503 — the sandbox's own, for retries that end in a dead letter.
 */
export const FAILING_NUMBERS = { invalid: '+15005550001', unavailable: '+15005550503' } as const;

/** Twilio's error body: `{ code, message, more_info, status }`. */
function twilioError(problem: string, status: number, code: number, message: string): SandboxAnswer {
  return refuse(problem, status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });
}

/** Which required form field is missing or malformed, as Twilio reports it. */
function fieldError(fields: URLSearchParams): SandboxAnswer | undefined {
  const to = fields.get('To');
  if (!to) return twilioError('no To', 400, 21604, "A 'To' phone number is required.");
  if (!E164.test(to)) return twilioError(`To ${to} is not E.164`, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (!fields.get('From') && !fields.get('MessagingServiceSid')) {
    return twilioError('neither From nor MessagingServiceSid', 400, 21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.");
  }
  if (to === FAILING_NUMBERS.invalid) return twilioError(`To ${to}: the test number for an invalid number`, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (to === FAILING_NUMBERS.unavailable) return twilioError(`To ${to}: the test number for an unavailable Twilio`, 503, 20503, 'Service Unavailable');
  const body = fields.get('Body');
  if (!body) return twilioError('no Body', 400, 21602, 'Message body is required.');
  if (body.length > 1600) return twilioError('Body over 1600 characters', 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
  return undefined;
}

/** Accepts a message for the local account; wrong credentials are 401/20003 as at Twilio. */
export function twilioRoute(accountSid: string, authToken: string): SandboxRoute {
  const expectedAuth = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  return {
    method: 'POST',
    path: PATH,
    handle(req): AnswerWithFollowUps {
      if (header(req, 'authorization') !== expectedAuth) {
        return twilioError('authorization is not Basic {the local AccountSid}:{AuthToken}', 401, 20003, 'Authenticate');
      }
      if (PATH.exec(req.path)![1] !== accountSid) {
        return twilioError('the path names another account', 404, 20404, `The requested resource ${req.path} was not found`);
      }
      // Twilio reads form fields only: another body type leaves every field missing.
      const form = mediaType(req) === 'application/x-www-form-urlencoded';
      const fields = new URLSearchParams(form ? req.body.toString('utf8') : '');
      const bad = fieldError(fields);
      if (bad) return form ? bad : { ...bad, problem: `content-type is not application/x-www-form-urlencoded (${bad.problem})` };
      const sid = `SM${randomBytes(16).toString('hex')}`;
      const [to, body] = [fields.get('To')!, fields.get('Body')!];
      const from = fields.get('From');
      const service = fields.get('MessagingServiceSid');
      const statusCallback = fields.get('StatusCallback');
      const followUps = statusCallback
        ? statusCallbacks({ accountSid, authToken, sid, to, ...(from && { from }), ...(service && { messagingServiceSid: service }), statusCallback })
        : undefined;
      return {
        status: 201,
        body: {
          sid,
          account_sid: accountSid,
          to,
          from: from ?? null,
          messaging_service_sid: service ?? null,
          body,
          status: 'queued',
          direction: 'outbound-api',
          api_version: '2010-04-01',
          error_code: null,
          error_message: null,
          uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
        },
        message: { channel: 'SMS', recipient: to, text: body, providerMessageId: sid },
        ...(followUps && { followUps }),
      };
    },
  };
}
