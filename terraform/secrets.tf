# Secret Manager secrets: the two connection URLs that carry credentials, and the
# credentials of each enabled channel (channels.tf decides which).
#
# Terraform creates the secrets, never their values: a value in Terraform would also sit in
# the state file. Operators add a version once, before the Cloud Run service and the
# migration job are created (they resolve version "latest" at deploy time):
#
#   printf '%s' 'mysql://notifier:PASS@localhost/notifier?socketPath=/cloudsql/PROJECT:REGION:INSTANCE' \
#     | gcloud secrets versions add notifier-mysql-url --data-file=-
#   printf '%s' 'smtps://USER:PASS@smtp.example.com:465' \
#     | gcloud secrets versions add notifier-smtp-url --data-file=-
#   head -c 48 /dev/urandom | base64 | tr -d '\n' \
#     | gcloud secrets versions add notifier-internal-signing-keys --data-file=-
#   head -c 48 /dev/urandom | base64 | tr -d '\n' \
#     | gcloud secrets versions add notifier-suppression-key --data-file=-
#
# The suppression key (SUPPRESSION_KEY, at least 32 characters): the suppression list keeps
# each address as an HMAC under it, never in clear. It is never rotated: a new key would
# make every entry unrecognisable, so the list would in effect be empty. Operators in
# var.operators read it to look up and remove entries (notifier suppressions).
#
# The internal signing keys (INTERNAL_SIGNING_KEYS, comma-separated, each at least 32
# characters): the notifier signs the notifier_* attributes of the messages it publishes for
# itself and obeys such attributes only when signed, so a producer cannot set them. Operators
# in var.operators read it to sign replays and resends. To rotate, add each version and deploy
# before the next: "OLD,NEW" (OLD still signs, every instance learns NEW), "NEW,OLD" (NEW
# signs), and once no message signed with OLD can still be in flight (message_retention_seconds)
# "NEW".
#
# A channel's secrets exist only while it is in enabled_channels. Enabling one: create its
# secrets first, give each a version, then apply the rest (the Cloud Run revision cannot
# start without a version to resolve):
#
#   terraform apply -target='google_secret_manager_secret.channel["TWILIO_AUTH_TOKEN"]'
#   printf '%s' 'TWILIO-AUTH-TOKEN' | gcloud secrets versions add notifier-twilio-auth-token --data-file=-
#   printf '%s' 'LINE-CHANNEL-ACCESS-TOKEN' | gcloud secrets versions add notifier-line-channel-access-token --data-file=-
#   printf '%s' 'xoxb-...' | gcloud secrets versions add notifier-slack-bot-token --data-file=-
#   printf '%s' 'https://hooks.slack.com/services/T.../B.../...' | gcloud secrets versions add notifier-slack-webhook-url --data-file=-
#   head -c 48 /dev/urandom | base64 | tr -d '\n' | gcloud secrets versions add notifier-webhook-signing-secret --data-file=-
#
# (the webhook signing secret must be at least 32 characters; receivers verify signatures
# with the same value). Removing a channel from enabled_channels deletes its secrets with
# their versions: re-enabling it means adding the credential again.
#
# Rotation: add a new version, then deploy a new revision (terraform apply with a changed
# image, or gcloud run services update notifier --region REGION): "latest" is resolved when
# an instance starts.
#
# Checked against: provider docs / magic-modules mmv1/products/secretmanager/Secret.yaml
# for google_secret_manager_secret (secret_id, labels, replication { auto {} }), and
# google_cloud_run_v2_service env.value_source.secret_key_ref; Terraform's for_each and
# -target addressing of instances (resource["key"]).

resource "google_secret_manager_secret" "mysql_url" {
  project   = var.project_id
  secret_id = "notifier-mysql-url"

  labels = {
    app = "notifier"
  }

  replication {
    auto {}
  }

  depends_on = [google_project_service.required]
}

resource "google_secret_manager_secret" "smtp_url" {
  project   = var.project_id
  secret_id = "notifier-smtp-url"

  labels = {
    app = "notifier"
  }

  replication {
    auto {}
  }

  depends_on = [google_project_service.required]
}

resource "google_secret_manager_secret" "internal_signing_keys" {
  project   = var.project_id
  secret_id = "notifier-internal-signing-keys"

  labels = {
    app = "notifier"
  }

  replication {
    auto {}
  }

  depends_on = [google_project_service.required]
}

resource "google_secret_manager_secret" "suppression_key" {
  project   = var.project_id
  secret_id = "notifier-suppression-key"

  labels = {
    app = "notifier"
  }

  replication {
    auto {}
  }

  depends_on = [google_project_service.required]
}

# Channel credentials, one secret per variable (TWILIO_AUTH_TOKEN, LINE_CHANNEL_ACCESS_TOKEN,
# SLACK_BOT_TOKEN, SLACK_WEBHOOK_URL, WEBHOOK_SIGNING_SECRET), for enabled channels only.
resource "google_secret_manager_secret" "channel" {
  for_each = local.channel_secrets

  project   = var.project_id
  secret_id = each.value

  labels = {
    app = "notifier"
  }

  replication {
    auto {}
  }

  depends_on = [google_project_service.required]
}
