# Identities and least-privilege grants.
#
# Checked against: provider docs for google_service_account, google_service_account_iam_member,
# google_pubsub_topic_iam_member, google_pubsub_subscription_iam_member,
# google_bigquery_table_iam_member, google_secret_manager_secret_iam_member,
# google_project_iam_member, google_cloud_run_v2_service_iam_member; Pub/Sub docs
# "Push subscriptions" (cloud.google.com/pubsub/docs/push: authenticated push needs a role
# for the Google-managed Pub/Sub service account), "Create BigQuery subscriptions"
# (docs.cloud.google.com/pubsub/docs/create-bigquery-subscription: the service agent needs
# roles/bigquery.dataEditor, on the project or the table) and the dead_letter_policy field
# docs (publisher on the dead-letter topic, subscriber on the source subscription);
# FCM: IAM "Firebase Cloud Messaging roles and permissions"
# (cloud.google.com/iam/docs/roles-permissions/firebasecloudmessaging: the Firebase Cloud
# Messaging API Admin role roles/firebasecloudmessaging.admin holds
# cloudmessaging.messages.create) and Firebase "Send a message using FCM HTTP v1 API" /
# "Authorize a service account from a different project" (firebase.google.com/docs/
# cloud-messaging/send/v1-api, .../send/admin-sdk: the sender's service account gets that
# role in the target Firebase project; the API is enabled in the sender project).

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  # Google-managed: pushes, forwards dead letters, writes BigQuery subscriptions.
  pubsub_service_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"

  # The Cloud SQL instance may live in another project: PROJECT:REGION:INSTANCE, where a
  # domain-scoped PROJECT itself contains a colon.
  cloud_sql_parts   = split(":", var.cloud_sql_instance)
  cloud_sql_project = join(":", slice(local.cloud_sql_parts, 0, length(local.cloud_sql_parts) - 2))

  failure_tables = {
    dead_letters    = google_bigquery_table.dead_letters.table_id
    poison_messages = google_bigquery_table.poison_messages.table_id
  }
  bigquery_writer_roles = ["roles/bigquery.dataEditor", "roles/bigquery.metadataViewer"]
}

# --- Service accounts ------------------------------------------------------------------

# The push identity: the `email` claim of the OIDC token Pub/Sub sends. It needs no roles;
# the notifier checks the claim (PUSH_SERVICE_ACCOUNT).
resource "google_service_account" "push" {
  project      = var.project_id
  account_id   = "notifier-push"
  display_name = "notifier: Pub/Sub push identity"
  description  = "Identity in the OIDC token of the notifications-push subscription; the notifier accepts only this account."

  depends_on = [google_project_service.required]
}

# The runtime identity of the Cloud Run service.
resource "google_service_account" "run" {
  project      = var.project_id
  account_id   = "notifier-run"
  display_name = "notifier: Cloud Run runtime"
  description  = "Runs the notifier: Cloud SQL client, publisher on the notifications, dead-letter, poison and notification-events topics, reader of its secrets, FCM sender when PUSH is enabled."

  depends_on = [google_project_service.required]
}

# The scheduler identity: the `email` claim of the OIDC token Cloud Scheduler sends to
# POST /tasks/release-held. It needs no roles; the notifier checks the claim (TASKS_CALLER).
resource "google_service_account" "scheduler" {
  project      = var.project_id
  account_id   = "notifier-scheduler"
  display_name = "notifier: Cloud Scheduler identity"
  description  = "Identity in the OIDC token of the notifier-release-held job; the notifier's task endpoints accept only this account."

  depends_on = [google_project_service.required]
}

# The migration job's identity: the database and nothing else.
resource "google_service_account" "migrate" {
  project      = var.project_id
  account_id   = "notifier-migrate"
  display_name = "notifier: schema migrations"
  description  = "Runs the notifier-migrate job: Cloud SQL client and reader of the MYSQL_URL secret."

  depends_on = [google_project_service.required]
}

# --- The Pub/Sub service agent: five grants --------------------------------------------

# 1. Forward messages to the dead-letter topic (dead_letter_policy).
resource "google_pubsub_topic_iam_member" "service_agent_publishes_dead_letters" {
  project = var.project_id
  topic   = google_pubsub_topic.dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_service_agent
}

# 2. Acknowledge the forwarded messages on the source subscription. Without 1 and 2,
#    dead-lettering is silently disabled (and pushes carry no deliveryAttempt).
resource "google_pubsub_subscription_iam_member" "service_agent_acks_push" {
  project      = var.project_id
  subscription = google_pubsub_subscription.push.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}

# 3. Write the BigQuery subscriptions' rows: on the two failure tables only.
resource "google_bigquery_table_iam_member" "service_agent_writes_failures" {
  for_each = {
    for pair in setproduct(keys(local.failure_tables), local.bigquery_writer_roles) :
    "${pair[0]}/${pair[1]}" => { table = pair[0], role = pair[1] }
  }

  project    = var.project_id
  dataset_id = google_bigquery_dataset.failures.dataset_id
  table_id   = local.failure_tables[each.value.table]
  role       = each.value.role
  member     = local.pubsub_service_agent
}

# 4. Write the lifecycle events' rows (notification-events-bigquery): on that table only.
resource "google_bigquery_table_iam_member" "service_agent_writes_events" {
  for_each = toset(local.bigquery_writer_roles)

  project    = var.project_id
  dataset_id = google_bigquery_dataset.failures.dataset_id
  table_id   = google_bigquery_table.notification_events.table_id
  role       = each.value
  member     = local.pubsub_service_agent
}

# 5. Mint OIDC tokens as the push service account (iam.serviceAccounts.getOpenIdToken).
#    Projects whose Pub/Sub service agent predates April 2021 lack this implicitly; granting
#    it on this one account only is harmless elsewhere and least privilege everywhere.
resource "google_service_account_iam_member" "service_agent_mints_push_tokens" {
  service_account_id = google_service_account.push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

# --- The runtime service account ---------------------------------------------------------

# Cloud SQL connections through the /cloudsql volume (on the instance's project).
resource "google_project_iam_member" "run_cloudsql_client" {
  project = local.cloud_sql_project
  role    = "roles/cloudsql.client"
  member  = google_service_account.run.member
}

# Failure records: the dead-letter and poison topics.
resource "google_pubsub_topic_iam_member" "run_publishes_failures" {
  for_each = {
    dead_letter = google_pubsub_topic.dead_letter.name
    poison      = google_pubsub_topic.poison.name
  }

  project = var.project_id
  topic   = each.value
  role    = "roles/pubsub.publisher"
  member  = google_service_account.run.member
}

# The notifications topic (NOTIFIER_TOPIC): a routed notification's per-contact messages, and
# held notifications released after quiet hours. That topic only, not the project's topics.
resource "google_pubsub_topic_iam_member" "run_publishes_notifications" {
  project = var.project_id
  topic   = google_pubsub_topic.notifications.name
  role    = "roles/pubsub.publisher"
  member  = google_service_account.run.member
}

# Lifecycle events (EVENTS_TOPIC): that topic only.
resource "google_pubsub_topic_iam_member" "run_publishes_events" {
  project = var.project_id
  topic   = google_pubsub_topic.events.name
  role    = "roles/pubsub.publisher"
  member  = google_service_account.run.member
}

# MYSQL_URL and SMTP_URL: each secret, not the project's Secret Manager.
resource "google_secret_manager_secret_iam_member" "run_reads_secrets" {
  for_each = {
    mysql_url             = google_secret_manager_secret.mysql_url.id
    smtp_url              = google_secret_manager_secret.smtp_url.id
    internal_signing_keys = google_secret_manager_secret.internal_signing_keys.id
    suppression_key       = google_secret_manager_secret.suppression_key.id
  }

  project   = var.project_id
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.run.member
}

# Channel credentials: exactly the secrets of the enabled channels (secrets.tf).
resource "google_secret_manager_secret_iam_member" "run_reads_channel_secrets" {
  for_each = google_secret_manager_secret.channel

  project   = var.project_id
  secret_id = each.value.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.run.member
}

# PUSH: send FCM messages for the Firebase project (fcm_project_id, default this project)
# with the runtime account's own token (scope firebase.messaging). The Firebase Cloud
# Messaging API Admin role is the predefined role with cloudmessaging.messages.create
# (it also manages topic subscriptions, which the notifier never calls; a custom role with
# that one permission is narrower where the Firebase project's owners allow custom roles).
resource "google_project_iam_member" "run_sends_fcm" {
  for_each = local.fcm_iam_projects

  project = each.value
  role    = "roles/firebasecloudmessaging.admin"
  member  = google_service_account.run.member
}

# --- The migration job's service account -------------------------------------------------

resource "google_project_iam_member" "migrate_cloudsql_client" {
  project = local.cloud_sql_project
  role    = "roles/cloudsql.client"
  member  = google_service_account.migrate.member
}

resource "google_secret_manager_secret_iam_member" "migrate_reads_mysql_url" {
  project   = var.project_id
  secret_id = google_secret_manager_secret.mysql_url.id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.migrate.member
}

# --- Who may call the Cloud Run service --------------------------------------------------

# Push authentication mode: in-app OIDC verification, not Cloud Run IAM. The settings API and
# the task endpoints (Cloud Scheduler) are verified the same way (API_AUTH=oidc, aud =
# var.api_audience, email in SETTINGS_CALLERS or = TASKS_CALLER). With Cloud Run IAM
# enforcing roles/run.invoker, Cloud Run strips the token's signature before the container
# sees it (GCP-FACTS: SIGNATURE_REMOVED_BY_GOOGLE), so the notifier could not verify it. So
# Cloud Run lets every request through (allUsers), and the notifier itself verifies each
# push (PUSH_AUTH=oidc): Google's signature, aud = var.push_audience, email = the
# notifier-push service account (cloudrun.tf sets PUSH_AUDIENCE and PUSH_SERVICE_ACCOUNT).
# Provider status callbacks (Twilio, SendGrid) need this too: they carry no Google token and
# are verified by their provider's signature in the notifier (cloudrun.tf).
# Organizations with domain-restricted sharing refuse allUsers; there, set the service's
# invoker_iam_disabled = true instead (same effect, no allUsers binding).
resource "google_cloud_run_v2_service_iam_member" "public_invoker" {
  project  = var.project_id
  location = google_cloud_run_v2_service.notifier.location
  name     = google_cloud_run_v2_service.notifier.name
  role     = "roles/run.invoker"
  member   = "allUsers"
}

# --- Producers (example binding) ---------------------------------------------------------

# Each producer may publish to the notifications topic and nothing else; the producer
# client validates against the same proto before publishing.
resource "google_pubsub_topic_iam_member" "producer_publishes" {
  for_each = toset(var.producer_service_accounts)

  project = var.project_id
  topic   = google_pubsub_topic.notifications.name
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${each.value}"
}

# --- Operators ----------------------------------------------------------------------------

# notifier replay and notifier resolve --as resend publish the notifier's own attributes
# (notifier_replay_of, notifier_target), which the notifier obeys only when signed: operators
# read the signing keys, and publish to the notifications topic.
resource "google_secret_manager_secret_iam_member" "operator_reads_signing_keys" {
  for_each = toset(var.operators)

  project   = var.project_id
  secret_id = google_secret_manager_secret.internal_signing_keys.id
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value
}

# notifier suppressions looks addresses up by their HMAC under the suppression key.
resource "google_secret_manager_secret_iam_member" "operator_reads_suppression_key" {
  for_each = toset(var.operators)

  project   = var.project_id
  secret_id = google_secret_manager_secret.suppression_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value
}

resource "google_pubsub_topic_iam_member" "operator_publishes" {
  for_each = toset(var.operators)

  project = var.project_id
  topic   = google_pubsub_topic.notifications.name
  role    = "roles/pubsub.publisher"
  member  = each.value
}
