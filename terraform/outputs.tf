# What operators, producers and analysts need after `terraform apply`.

output "service_url" {
  description = "URL of the notifier on Cloud Run."
  value       = google_cloud_run_v2_service.notifier.uri
}

output "push_endpoint" {
  description = "The endpoint the notifications-push subscription posts to."
  value       = google_pubsub_subscription.push.push_config[0].push_endpoint
}

output "notifications_topic" {
  description = "Topic producers publish to (NOTIFIER_TOPIC for the CLI; the producer client's topic)."
  value       = google_pubsub_topic.notifications.name
}

output "notifications_topic_id" {
  description = "Full resource name of the notifications topic."
  value       = google_pubsub_topic.notifications.id
}

output "dead_letter_topic" {
  description = "Topic of failure records (DEAD_LETTER_TOPIC)."
  value       = google_pubsub_topic.dead_letter.name
}

output "poison_topic" {
  description = "Topic of undecodable payloads (POISON_TOPIC)."
  value       = google_pubsub_topic.poison.name
}

output "events_topic" {
  description = "Topic of the lifecycle events (EVENTS_TOPIC): producers subscribe to it with a filter such as attributes.source = \"orders\"."
  value       = google_pubsub_topic.events.name
}

output "push_subscription" {
  description = "The push subscription carrying the retry and dead-letter policies."
  value       = google_pubsub_subscription.push.name
}

output "schema_id" {
  description = "The Pub/Sub protobuf schema of the notifications and dead-letter topics."
  value       = google_pubsub_schema.notification.id
}

output "schema_encoding" {
  description = "Encoding producers must publish in (SCHEMA_ENCODING for the CLI)."
  value       = var.schema_encoding
}

output "failures_dataset" {
  description = "PROJECT.DATASET of the failure tables and views: FAILURES_DATASET / --dataset for notifier failures and notifier replay."
  value       = "${google_bigquery_dataset.failures.project}.${google_bigquery_dataset.failures.dataset_id}"
}

output "failure_tables" {
  description = "Failure tables and analyst views in the dataset."
  value = {
    dead_letters         = google_bigquery_table.dead_letters.table_id
    poison_messages      = google_bigquery_table.poison_messages.table_id
    failed_notifications = google_bigquery_table.failed_notifications.table_id
    failure_summary      = google_bigquery_table.failure_summary.table_id
  }
}

output "event_tables" {
  description = "The lifecycle events' table and views in the dataset."
  value = {
    notification_events  = google_bigquery_table.notification_events.table_id
    notification_funnel  = google_bigquery_table.notification_funnel.table_id
    notification_latency = google_bigquery_table.notification_latency.table_id
  }
}

output "push_service_account" {
  description = "Identity in the push OIDC token (PUSH_SERVICE_ACCOUNT)."
  value       = google_service_account.push.email
}

output "push_audience" {
  description = "Audience of the push OIDC token (PUSH_AUDIENCE)."
  value       = var.push_audience
}

output "api_audience" {
  description = "Audience of the OIDC tokens settings API callers and the scheduler send (API_AUDIENCE): callers mint ID tokens for it."
  value       = var.api_audience
}

output "scheduler_service_account" {
  description = "Identity in the release job's OIDC token (TASKS_CALLER)."
  value       = google_service_account.scheduler.email
}

output "release_job" {
  description = "Cloud Scheduler job releasing held notifications: gcloud scheduler jobs run <name> --location <region> releases a batch at once."
  value       = google_cloud_scheduler_job.release_held.name
}

output "runtime_service_account" {
  description = "Service account the notifier runs as."
  value       = google_service_account.run.email
}

output "migrate_job" {
  description = "Cloud Run job applying the MySQL migrations: gcloud run jobs execute <name> --region <region> --wait."
  value       = google_cloud_run_v2_job.migrate.name
}

output "secrets" {
  description = "Secret Manager secrets, by the variable each feeds, to give a version before the first deploy and before enabling a channel (gcloud secrets versions add NAME --data-file=-)."
  value = merge(
    {
      MYSQL_URL = google_secret_manager_secret.mysql_url.secret_id
      SMTP_URL  = google_secret_manager_secret.smtp_url.secret_id
    },
    { for name, secret in google_secret_manager_secret.channel : name => secret.secret_id },
  )
}

output "enabled_channels" {
  description = "Channels the notifier delivers: EMAIL and those in enabled_channels."
  value       = sort(concat(["EMAIL"], tolist(var.enabled_channels)))
}

output "dashboard_id" {
  description = "The Cloud Monitoring dashboard of the notifier."
  value       = google_monitoring_dashboard.notifier.id
}
