# Topics, the protobuf schemas and the subscriptions.
#
# Checked against: provider docs / magic-modules mmv1/products/pubsub/{Schema,Topic,Subscription}.yaml
# (google_pubsub_schema, google_pubsub_topic.schema_settings, google_pubsub_subscription:
# push_config.oidc_token, retry_policy 0-600 s, dead_letter_policy 5-100,
# message_retention_duration 600 s-31 d, expiration_policy ttl "" = never,
# bigquery_config.table "{project}.{dataset}.{table}", use_topic_schema, write_metadata).

# The Notification message, the same file the notifier and the producer client load.
# Changing it commits a new schema revision (at most 20 per schema).
resource "google_pubsub_schema" "notification" {
  project    = var.project_id
  name       = "notifier-notification"
  type       = "PROTOCOL_BUFFER"
  definition = file("${path.module}/../proto/notifier/v1/notification.proto")

  depends_on = [google_project_service.required]
}

# Producers publish here; a message that does not match the schema is refused at publish time.
resource "google_pubsub_topic" "notifications" {
  project = var.project_id
  name    = "notifications"

  schema_settings {
    schema   = google_pubsub_schema.notification.id
    encoding = var.schema_encoding
  }

  depends_on = [google_pubsub_schema.notification]
}

# Failure records: the original message bytes with the notifier's failure attributes, and
# what Pub/Sub's own dead-letter policy forwards. Same schema and encoding as the main
# topic, so the BigQuery subscription can map the proto fields to columns.
resource "google_pubsub_topic" "dead_letter" {
  project = var.project_id
  name    = "notifications-dead-letter"

  schema_settings {
    schema   = google_pubsub_schema.notification.id
    encoding = var.schema_encoding
  }

  depends_on = [google_pubsub_schema.notification]
}

# A delivery's lifecycle events (notification_event.proto), a second schema: a Pub/Sub schema
# holds exactly one top-level type. Changing it commits a new revision, like the one above.
resource "google_pubsub_schema" "notification_event" {
  project    = var.project_id
  name       = "notifier-notification-event"
  type       = "PROTOCOL_BUFFER"
  definition = file("${path.module}/../proto/notifier/v1/notification_event.proto")

  depends_on = [google_project_service.required]
}

# The notifier publishes every state change of a delivery here (EVENTS_TOPIC), in batches,
# always in proto3 JSON: the notifier is its only publisher, so producers' schema_encoding does
# not apply. Attributes source, event, channel and type let a producer subscribe to its own
# notifications' outcomes with a filter (docs/analysts.md "Lifecycle events").
resource "google_pubsub_topic" "events" {
  project = var.project_id
  name    = "notification-events"

  schema_settings {
    schema   = google_pubsub_schema.notification_event.id
    encoding = "JSON"
  }

  depends_on = [google_pubsub_schema.notification_event]
}

# Payloads that never decoded cannot enter a schema'd topic: raw bytes land here.
resource "google_pubsub_topic" "poison" {
  project = var.project_id
  name    = "notifications-poison"

  depends_on = [google_project_service.required]
}

# Pub/Sub pushes each notification to the notifier. The notifier verifies the OIDC token
# itself (PUSH_AUTH=oidc), see cloudrun.tf for why Cloud Run's IAM check is off.
resource "google_pubsub_subscription" "push" {
  project = var.project_id
  name    = "notifications-push"
  topic   = google_pubsub_topic.notifications.id

  # Also the push request timeout; variables.tf checks it covers the notifier's budget.
  ack_deadline_seconds       = var.ack_deadline_seconds
  message_retention_duration = "${var.message_retention_seconds}s"

  # Never expires, even after a quiet month.
  expiration_policy {
    ttl = ""
  }

  retry_policy {
    minimum_backoff = "${var.minimum_backoff_seconds}s"
    maximum_backoff = "${var.maximum_backoff_seconds}s"
  }

  # The backstop: the notifier dead-letters with its reason after notifier_max_attempts;
  # Pub/Sub forwards whatever is still failing after max_delivery_attempts.
  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  push_config {
    push_endpoint = "${google_cloud_run_v2_service.notifier.uri}/pubsub/push"

    oidc_token {
      service_account_email = google_service_account.push.email
      audience              = var.push_audience
    }
  }

  depends_on = [
    # A topic with no subscription drops what is published to it: the failure stores must
    # exist before the first message can be dead-lettered.
    google_pubsub_subscription.dead_letters_bigquery,
    google_pubsub_subscription.poison_bigquery,
    # Without these, dead-lettering is silently disabled and no OIDC token can be minted.
    google_pubsub_topic_iam_member.service_agent_publishes_dead_letters,
    google_service_account_iam_member.service_agent_mints_push_tokens,
    # The endpoint accepts requests before the first push arrives.
    google_cloud_run_v2_service_iam_member.public_invoker,
  ]
}

# Dead letters -> BigQuery table dead_letters: proto fields as columns (use_topic_schema),
# plus subscription_name, message_id, publish_time and attributes (write_metadata).
# drop_unknown_fields stays false: if the proto gains a field before the table does, records
# wait in this subscription's backlog (alerted in monitoring.tf) instead of losing the field.
resource "google_pubsub_subscription" "dead_letters_bigquery" {
  project = var.project_id
  name    = "notifications-dead-letter-bigquery"
  topic   = google_pubsub_topic.dead_letter.id

  message_retention_duration = "${var.message_retention_seconds}s"

  expiration_policy {
    ttl = ""
  }

  bigquery_config {
    table               = "${google_bigquery_table.dead_letters.project}.${google_bigquery_table.dead_letters.dataset_id}.${google_bigquery_table.dead_letters.table_id}"
    use_topic_schema    = true
    write_metadata      = true
    drop_unknown_fields = false
  }

  depends_on = [google_bigquery_table_iam_member.service_agent_writes_failures]
}

# Poison -> BigQuery table poison_messages: no topic schema, so the raw payload goes to the
# `data` column, plus the metadata columns.
resource "google_pubsub_subscription" "poison_bigquery" {
  project = var.project_id
  name    = "notifications-poison-bigquery"
  topic   = google_pubsub_topic.poison.id

  message_retention_duration = "${var.message_retention_seconds}s"

  expiration_policy {
    ttl = ""
  }

  bigquery_config {
    table          = "${google_bigquery_table.poison_messages.project}.${google_bigquery_table.poison_messages.dataset_id}.${google_bigquery_table.poison_messages.table_id}"
    write_metadata = true
  }

  depends_on = [google_bigquery_table_iam_member.service_agent_writes_failures]
}

# Lifecycle events -> BigQuery table notification_events: the event's fields as columns
# (use_topic_schema) plus the metadata columns (write_metadata). drop_unknown_fields stays
# false for the reason given at dead_letters_bigquery: evolve the table before the schema.
resource "google_pubsub_subscription" "events_bigquery" {
  project = var.project_id
  name    = "notification-events-bigquery"
  topic   = google_pubsub_topic.events.id

  message_retention_duration = "${var.message_retention_seconds}s"

  expiration_policy {
    ttl = ""
  }

  bigquery_config {
    table               = "${google_bigquery_table.notification_events.project}.${google_bigquery_table.notification_events.dataset_id}.${google_bigquery_table.notification_events.table_id}"
    use_topic_schema    = true
    write_metadata      = true
    drop_unknown_fields = false
  }

  depends_on = [google_bigquery_table_iam_member.service_agent_writes_events]
}
