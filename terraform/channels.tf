# Which channels beyond email are on, and what each needs: its plain settings, its
# secret-backed variables, FCM access. One table per kind, keyed by the notifier's variable
# name, with a parallel table saying when each applies, so that secrets.tf (secrets),
# iam.tf (who may read them, FCM sending), apis.tf (fcm.googleapis.com) and cloudrun.tf
# (environment) all follow var.enabled_channels the same way.
#
# The notifier configures a channel exactly when its credential variable is set
# (src/config/channels.ts): TWILIO_ACCOUNT_SID, FCM_PROJECT_ID, LINE_CHANNEL_ACCESS_TOKEN,
# SLACK_BOT_TOKEN / SLACK_WEBHOOK_URL, WEBHOOK_SIGNING_SECRET. So a disabled channel sets
# none of its variables. Never set here: the *_BASE_URL variables (local stand-ins only) and
# WEBHOOK_ALLOW_PRIVATE_NETWORKS (refused in production; it would open the SSRF guard).

locals {
  sms_enabled     = contains(var.enabled_channels, "SMS")
  push_enabled    = contains(var.enabled_channels, "PUSH")
  slack_enabled   = contains(var.enabled_channels, "SLACK")
  line_enabled    = contains(var.enabled_channels, "LINE")
  webhook_enabled = contains(var.enabled_channels, "WEBHOOK")

  # The Firebase project FCM messages are sent for (defaults to this project).
  fcm_project_id = coalesce(var.fcm_project_id, var.project_id)

  # Plain (non-secret) channel settings: variable => value, and when it is set.
  channel_env_values = {
    TWILIO_ACCOUNT_SID    = var.twilio_account_sid
    TWILIO_FROM           = var.twilio_from
    FCM_PROJECT_ID        = local.fcm_project_id
    WEBHOOK_ALLOWED_HOSTS = join(",", var.webhook_allowed_hosts)
  }
  channel_env_enabled = {
    TWILIO_ACCOUNT_SID    = local.sms_enabled
    TWILIO_FROM           = local.sms_enabled
    FCM_PROJECT_ID        = local.push_enabled
    WEBHOOK_ALLOWED_HOSTS = local.webhook_enabled
  }
  channel_env = { for name, value in local.channel_env_values : name => value if local.channel_env_enabled[name] }

  # Channel credentials, each in its own Secret Manager secret: variable => secret ID, and
  # when the secret exists. PUSH has none: it uses the runtime service account's own token.
  channel_secret_ids = {
    TWILIO_AUTH_TOKEN         = "notifier-twilio-auth-token"
    LINE_CHANNEL_ACCESS_TOKEN = "notifier-line-channel-access-token"
    SLACK_BOT_TOKEN           = "notifier-slack-bot-token"
    SLACK_WEBHOOK_URL         = "notifier-slack-webhook-url"
    WEBHOOK_SIGNING_SECRET    = "notifier-webhook-signing-secret"
  }
  channel_secret_enabled = {
    TWILIO_AUTH_TOKEN         = local.sms_enabled
    LINE_CHANNEL_ACCESS_TOKEN = local.line_enabled
    SLACK_BOT_TOKEN           = local.slack_enabled && contains(var.slack_credentials, "bot_token")
    SLACK_WEBHOOK_URL         = local.slack_enabled && contains(var.slack_credentials, "webhook_url")
    WEBHOOK_SIGNING_SECRET    = local.webhook_enabled
  }
  channel_secrets = { for name, id in local.channel_secret_ids : name => id if local.channel_secret_enabled[name] }

  # PUSH: FCM must be enabled in the project whose service account calls it (this one) and
  # in the Firebase project messages are sent for; the sending role is granted in the latter.
  fcm_api_projects = local.push_enabled ? toset([var.project_id, local.fcm_project_id]) : toset([])
  fcm_iam_projects = local.push_enabled ? toset([local.fcm_project_id]) : toset([])
}
