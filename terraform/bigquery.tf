# The failure store: where every notification that could not be delivered ends up, with its
# reason, for analysts, support and `notifier failures` / `notifier replay`; and the
# lifecycle events of every delivery, with the funnel and latency views over them.
#
# The table schemas (schemas/*.json) and the views (views/*.sql) are generated from the proto
# and from the CLI's SQL by `npm run gen:bq-schema`; never edit them here. The views use the
# placeholders ${project} and ${dataset}, filled by templatefile().
#
# Checked against: provider docs for google_bigquery_dataset and google_bigquery_table
# (schema JSON, time_partitioning {type, field, expiration_ms}, clustering,
# deletion_protection, view {query, use_legacy_sql}); provider 7.0 upgrade guide
# (view.use_legacy_sql has no default any more: set to false, standard SQL).

resource "google_bigquery_dataset" "failures" {
  project     = var.project_id
  dataset_id  = var.bigquery_dataset_id
  location    = var.bigquery_location
  description = "notifier: notifications that could not be delivered (dead_letters, poison_messages), every delivery's lifecycle events (notification_events), and the analyst views over them."

  # Tables are protected by deletion_protection; with protection off, destroy may empty the dataset.
  delete_contents_on_destroy = !var.deletion_protection

  labels = {
    app = "notifier"
  }

  depends_on = [google_project_service.required]
}

# Written by the notifications-dead-letter-bigquery subscription (use_topic_schema, write_metadata).
resource "google_bigquery_table" "dead_letters" {
  project     = var.project_id
  dataset_id  = google_bigquery_dataset.failures.dataset_id
  table_id    = "dead_letters"
  description = "One row per failure record: the notification's fields plus subscription_name, message_id, publish_time and attributes (notifier_failure_code, ...)."

  schema = file("${path.module}/schemas/dead_letters.json")

  time_partitioning {
    type          = "DAY"
    field         = "publish_time"
    expiration_ms = var.failure_retention_days * 86400000
  }

  clustering = ["channel", "type"]

  deletion_protection = var.deletion_protection
}

# Written by the notifications-poison-bigquery subscription (raw `data` + write_metadata).
resource "google_bigquery_table" "poison_messages" {
  project     = var.project_id
  dataset_id  = google_bigquery_dataset.failures.dataset_id
  table_id    = "poison_messages"
  description = "Payloads that never decoded: the raw bytes (data) plus subscription_name, message_id, publish_time and attributes."

  schema = file("${path.module}/schemas/poison_messages.json")

  time_partitioning {
    type          = "DAY"
    field         = "publish_time"
    expiration_ms = var.failure_retention_days * 86400000
  }

  deletion_protection = var.deletion_protection
}

# One row per failed (notification_id, channel), latest record wins; poison messages included.
resource "google_bigquery_table" "failed_notifications" {
  project     = var.project_id
  dataset_id  = google_bigquery_dataset.failures.dataset_id
  table_id    = "failed_notifications"
  description = "One row per failed notification and channel (latest failure record wins), with failure_code, attempts and who dead-lettered it."

  view {
    query = templatefile("${path.module}/views/failed_notifications.sql", {
      project = var.project_id
      dataset = google_bigquery_dataset.failures.dataset_id
    })
    use_legacy_sql = false
  }

  deletion_protection = var.deletion_protection

  depends_on = [google_bigquery_table.dead_letters, google_bigquery_table.poison_messages]
}

# Failure counts by hour, day, channel, type, failure_code, source and payload.
resource "google_bigquery_table" "failure_summary" {
  project     = var.project_id
  dataset_id  = google_bigquery_dataset.failures.dataset_id
  table_id    = "failure_summary"
  description = "Failure counts by hour, day, channel, type, failure_code, source and payload."

  view {
    query = templatefile("${path.module}/views/failure_summary.sql", {
      project = var.project_id
      dataset = google_bigquery_dataset.failures.dataset_id
    })
    use_legacy_sql = false
  }

  deletion_protection = var.deletion_protection

  depends_on = [google_bigquery_table.failed_notifications]
}

# Written by the notification-events-bigquery subscription (use_topic_schema, write_metadata).
#
# Partitioned by day on occurred_at_micros, not publish_time as the failure tables are: analysts
# ask what happened on a day and the views count by the events' own times, so a query that
# filters occurred_at_micros reads only those days' partitions, and a partition expires
# events_retention_days after its state changes happened. The notifier stamps every event
# from its own clock and publishes within seconds, so rows land in current partitions
# (publish_time would differ only around midnight). Clustered on event and channel: the views
# and most questions pick a few kinds of event, often on one channel. The views themselves
# read the whole table (copies of an event are dropped across it), so events_retention_days
# also bounds what one view query scans.
resource "google_bigquery_table" "notification_events" {
  project     = var.project_id
  dataset_id  = google_bigquery_dataset.failures.dataset_id
  table_id    = "notification_events"
  description = "One row per state change of a delivery (notification_event.proto: event_id, event, occurred_at_micros, notification_id, target, channel, type, source, code, ...) plus subscription_name, message_id, publish_time and attributes. A redelivered event repeats its event_id."

  schema = file("${path.module}/schemas/notification_events.json")

  time_partitioning {
    type          = "DAY"
    field         = "occurred_at_micros"
    expiration_ms = var.events_retention_days * 86400000
  }

  clustering = ["event", "channel"]

  deletion_protection = var.deletion_protection
}

# Deliveries by day of their first event, channel, type and source: how many reached each stage.
resource "google_bigquery_table" "notification_funnel" {
  project     = var.project_id
  dataset_id  = google_bigquery_dataset.failures.dataset_id
  table_id    = "notification_funnel"
  description = "Deliveries (notification_id, target) by day of their first event, channel, type and source: received, sent, delivered, failed (dead-lettered), suppressed, held, delivery_rate (delivered / sent) and send_rate (sent / received)."

  view {
    query = templatefile("${path.module}/views/notification_funnel.sql", {
      project = var.project_id
      dataset = google_bigquery_dataset.failures.dataset_id
    })
    use_legacy_sql = false
  }

  deletion_protection = var.deletion_protection

  depends_on = [google_bigquery_table.notification_events]
}

# Percentiles of created -> sent and sent -> delivered by day sent, channel and type.
resource "google_bigquery_table" "notification_latency" {
  project     = var.project_id
  dataset_id  = google_bigquery_dataset.failures.dataset_id
  table_id    = "notification_latency"
  description = "Sent deliveries by day sent, channel and type: p50, p90 and p99 in milliseconds of created -> sent and of sent -> delivered."

  view {
    query = templatefile("${path.module}/views/notification_latency.sql", {
      project = var.project_id
      dataset = google_bigquery_dataset.failures.dataset_id
    })
    use_legacy_sql = false
  }

  deletion_protection = var.deletion_protection

  depends_on = [google_bigquery_table.notification_events]
}
