import { OutcomeTable, permanent, transient, unknownOutcome } from '../http-outcomes';

/**
 * chat.postMessage outcomes by Slack's `error` string
 * (https://api.slack.com/methods/chat.postMessage#errors). Slack answers these with HTTP
 * 200 and `ok: false`, except rate limiting (HTTP 429 with Retry-After); other statuses
 * fall back to the common ones.
 */
export const SLACK_API_OUTCOMES: OutcomeTable = {
  codes: {
    // The conversation: wrong, gone, or closed to this app.
    channel_not_found: permanent('INVALID_RECIPIENT'),
    is_archived: permanent('INVALID_RECIPIENT'),
    not_in_channel: permanent('DESTINATION_NOT_ALLOWED'), // the bot must be invited first
    restricted_action: permanent('DESTINATION_NOT_ALLOWED'),
    restricted_action_read_only_channel: permanent('DESTINATION_NOT_ALLOWED'),
    restricted_action_thread_only_channel: permanent('DESTINATION_NOT_ALLOWED'),
    ekm_access_denied: permanent('DESTINATION_NOT_ALLOWED'),
    // The message or the request itself: sending it again fails the same way.
    msg_too_long: permanent('PROVIDER_REJECTED'),
    no_text: permanent('PROVIDER_REJECTED'),
    too_many_attachments: permanent('PROVIDER_REJECTED'),
    invalid_blocks: permanent('PROVIDER_REJECTED'),
    invalid_arguments: permanent('PROVIDER_REJECTED'),
    invalid_arg_name: permanent('PROVIDER_REJECTED'),
    invalid_charset: permanent('PROVIDER_REJECTED'),
    invalid_form_data: permanent('PROVIDER_REJECTED'),
    invalid_post_type: permanent('PROVIDER_REJECTED'),
    missing_post_type: permanent('PROVIDER_REJECTED'),
    as_user_not_supported: permanent('PROVIDER_REJECTED'),
    deprecated_endpoint: permanent('PROVIDER_REJECTED'),
    method_deprecated: permanent('PROVIDER_REJECTED'),
    // The bot token (SLACK_BOT_TOKEN): missing, wrong, revoked or short of chat:write.
    not_authed: permanent('BAD_CREDENTIALS'),
    invalid_auth: permanent('BAD_CREDENTIALS'),
    account_inactive: permanent('BAD_CREDENTIALS'),
    token_revoked: permanent('BAD_CREDENTIALS'),
    token_expired: permanent('BAD_CREDENTIALS'),
    missing_scope: permanent('BAD_CREDENTIALS'),
    no_permission: permanent('BAD_CREDENTIALS'),
    not_allowed_token_type: permanent('BAD_CREDENTIALS'),
    access_denied: permanent('BAD_CREDENTIALS'),
    accesslimited: permanent('BAD_CREDENTIALS'), // the token may not be used from this network
    two_factor_setup_required: permanent('BAD_CREDENTIALS'),
    // Slack, not the message: retrying may help.
    ratelimited: transient('RATE_LIMITED'),
    rate_limited: transient('RATE_LIMITED'), // too many posts to one channel
    service_unavailable: transient('PROVIDER_UNAVAILABLE'),
    request_timeout: transient('PROVIDER_TIMEOUT'), // the POST body arrived missing or truncated: nothing posted
    team_added_to_org: transient('PROVIDER_UNAVAILABLE'), // an enterprise migration, then it works again
    org_login_required: transient('PROVIDER_UNAVAILABLE'),
    // After these, Slack says, "it's possible some aspect of the operation succeeded": the
    // message may have been posted, so they are never resent silently.
    fatal_error: unknownOutcome(),
    internal_error: unknownOutcome(),
  },
  statuses: {},
};

/**
 * Incoming-webhook outcomes: a plain-text code with an HTTP status
 * (https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks).
 * The webhook URL is the credential: codes saying it no longer works are BAD_CREDENTIALS.
 * Codes not listed are decided by their status.
 */
export const SLACK_WEBHOOK_OUTCOMES: OutcomeTable = {
  codes: {
    invalid_payload: permanent('PROVIDER_REJECTED'),
    user_not_found: permanent('PROVIDER_REJECTED'),
    no_text: permanent('PROVIDER_REJECTED'),
    action_prohibited: permanent('DESTINATION_NOT_ALLOWED'), // a workspace restriction on posting there
    channel_not_found: permanent('INVALID_RECIPIENT'),
    channel_is_archived: permanent('INVALID_RECIPIENT'),
    no_service: permanent('BAD_CREDENTIALS'), // the webhook was disabled or removed
    no_active_hooks: permanent('BAD_CREDENTIALS'),
    rollup_error: transient('PROVIDER_UNAVAILABLE'), // "likely not your fault at all"
  },
  statuses: {
    400: permanent('PROVIDER_REJECTED'),
    403: permanent('DESTINATION_NOT_ALLOWED'),
    404: permanent('BAD_CREDENTIALS'), // the URL no longer leads to a webhook
    410: permanent('INVALID_RECIPIENT'), // the channel is gone
  },
};

/** Incoming webhooks answer failures with a bare code such as `channel_not_found`. */
export function webhookErrorCode(body: string): string | undefined {
  const code = body.trim();
  return /^[a-z][a-z0-9_]{0,63}$/.test(code) ? code : undefined;
}

/** chat.postMessage's `{ ok, error }`, or undefined when the body is not such a JSON object. */
export function apiAnswer(body: string): { ok: boolean; error?: string; channel?: string; ts?: string } | undefined {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.ok !== 'boolean') return undefined;
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return { ok: parsed.ok, error: str(parsed.error), channel: str(parsed.channel), ts: str(parsed.ts) };
  } catch {
    return undefined;
  }
}
