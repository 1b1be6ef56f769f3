# The notifier on Cloud Run, and the job that applies its MySQL migrations.
#
# Checked against: provider docs / magic-modules mmv1/products/cloudrunv2/{Service,Job}.yaml
# (template.timeout "Ns", max_instance_request_concurrency, template.scaling,
# volumes.cloud_sql_instance.instances + volume_mounts mount_path /cloudsql,
# env.value_source.secret_key_ref {secret, version}, startup_probe / liveness_probe
# http_get.path, deletion_protection; env is a repeatable block, so dynamic "env" adds the
# enabled channels' variables), google_cloud_run_v2_service_iam_member; Cloud Run
# limits from GCP-FACTS (timeout <= 3600 s, concurrency <= 1000, SIGKILL 10 s after SIGTERM).
#
# Push authentication: in-app OIDC verification. Cloud Run's own IAM check would accept the
# token but strip its signature before the container sees it (SIGNATURE_REMOVED_BY_GOOGLE),
# so the notifier could no longer verify who sent the push. The service therefore allows
# unauthenticated invocation (roles/run.invoker for allUsers, in iam.tf), and the notifier
# verifies every push itself: PUSH_AUTH=oidc checks the token's signature, that `aud` is
# PUSH_AUDIENCE (= the subscription's oidc_token.audience) and that `email` is
# PUSH_SERVICE_ACCOUNT (= the push service account) with email_verified. Every request
# without such a token gets 401/403 before any work is done; /healthz and /readyz reveal
# nothing. NODE_ENV=production makes the notifier refuse PUSH_AUTH=none. The provider status
# callbacks (/v1/callbacks/*) cannot carry a Google token: each is verified by its provider's
# signature instead (Twilio: X-Twilio-Signature over PUBLIC_URL; SendGrid: ECDSA with
# SENDGRID_WEBHOOK_PUBLIC_KEY), and is not served (404) while its key is unset.
#
# Cloud SQL: the Cloud SQL volume mounts a Unix socket per instance at
# /cloudsql/PROJECT:REGION:INSTANCE (Cloud SQL Auth Proxy managed by Cloud Run, IAM-authorised
# via roles/cloudsql.client); MYSQL_URL names it with ?socketPath=.

resource "google_cloud_run_v2_service" "notifier" {
  project             = var.project_id
  name                = "notifier"
  location            = var.region
  description         = "Receives Pub/Sub pushes of notifications and delivers them; failures go to notifications-dead-letter."
  ingress             = "INGRESS_TRAFFIC_ALL" # Pub/Sub push reaches the public run.app URL
  deletion_protection = var.deletion_protection

  template {
    service_account                  = google_service_account.run.email
    timeout                          = "${var.request_timeout_seconds}s"
    max_instance_request_concurrency = var.concurrency

    scaling {
      min_instance_count = var.min_instances
      max_instance_count = var.max_instances
    }

    volumes {
      name = "cloudsql"
      cloud_sql_instance {
        instances = [var.cloud_sql_instance]
      }
    }

    containers {
      image = var.image

      ports {
        container_port = 8080 # Cloud Run sets PORT to this; the notifier listens on PORT
      }

      resources {
        limits = {
          cpu    = var.cpu
          memory = "${var.memory_mib}Mi"
        }
        cpu_idle          = true
        startup_cpu_boost = true
      }

      volume_mounts {
        name       = "cloudsql"
        mount_path = "/cloudsql"
      }

      env {
        name  = "NODE_ENV"
        value = "production"
      }
      env {
        name  = "LOG_LEVEL"
        value = var.log_level
      }
      env {
        name  = "PUSH_AUTH"
        value = "oidc"
      }
      env {
        name  = "PUSH_AUDIENCE"
        value = var.push_audience
      }
      env {
        name  = "PUSH_SERVICE_ACCOUNT"
        value = google_service_account.push.email
      }
      env {
        name  = "GOOGLE_CLOUD_PROJECT"
        value = var.project_id
      }
      env {
        name  = "DEAD_LETTER_TOPIC"
        value = google_pubsub_topic.dead_letter.name
      }
      env {
        name  = "POISON_TOPIC"
        value = google_pubsub_topic.poison.name
      }
      env {
        name  = "EVENTS_TOPIC"
        value = google_pubsub_topic.events.name
      }
      env {
        name  = "SCHEMA_ENCODING"
        value = var.schema_encoding
      }
      env {
        name  = "ACK_DEADLINE_SECONDS"
        value = var.ack_deadline_seconds
      }
      env {
        name  = "MAX_ATTEMPTS"
        value = var.notifier_max_attempts
      }
      env {
        name  = "MAX_REPLAYS"
        value = var.max_replays
      }
      env {
        name  = "RESEND_SAFE_TYPES"
        value = join(",", var.resend_safe_types)
      }
      env {
        name  = "SEND_TIMEOUT_MS"
        value = var.send_timeout_ms
      }
      env {
        name  = "LOCK_WAIT_SECONDS"
        value = var.lock_wait_seconds
      }
      env {
        name  = "MYSQL_TIMEOUT_MS"
        value = var.mysql_timeout_ms
      }
      env {
        name  = "PUBLISH_TIMEOUT_MS"
        value = var.publish_timeout_ms
      }
      env {
        name  = "MYSQL_POOL_SIZE"
        value = var.db_pool_size
      }
      env {
        name  = "SMTP_POOL_SIZE"
        value = var.smtp_pool_size
      }
      env {
        name  = "EMAIL_FROM"
        value = var.email_from
      }
      env {
        name  = "SHUTDOWN_GRACE_MS"
        value = var.shutdown_grace_ms
      }

      # Account settings, routing and quiet hours (scheduler.tf calls the release task).
      env {
        name  = "NOTIFIER_TOPIC"
        value = google_pubsub_topic.notifications.name
      }
      env {
        name  = "API_AUTH"
        value = "oidc"
      }
      env {
        name  = "API_AUDIENCE"
        value = var.api_audience
      }
      env {
        name  = "SETTINGS_CALLERS"
        value = join(",", var.settings_callers)
      }
      env {
        name  = "STATUS_CALLERS"
        value = join(",", var.status_callers)
      }
      env {
        name  = "SUPPRESSION_CALLERS"
        value = join(",", var.suppression_callers)
      }
      env {
        name  = "TASKS_CALLER"
        value = google_service_account.scheduler.email
      }
      env {
        name  = "MANDATORY_TYPES"
        value = join(",", var.mandatory_types)
      }
      env {
        name  = "RELEASE_BATCH_SIZE"
        value = var.release_batch_size
      }
      env {
        name  = "RELEASE_CLAIM_TIMEOUT_MS"
        value = var.release_claim_timeout_ms
      }

      # Provider gates: rate limits per channel and circuit breakers, always set so that what
      # runs is what variables.tf says (the notifier's defaults are the same).
      env {
        name  = "EMAIL_RATE_LIMIT"
        value = var.email_rate_limit
      }
      env {
        name  = "SMS_RATE_LIMIT"
        value = var.sms_rate_limit
      }
      env {
        name  = "PUSH_RATE_LIMIT"
        value = var.push_rate_limit
      }
      env {
        name  = "SLACK_RATE_LIMIT"
        value = var.slack_rate_limit
      }
      env {
        name  = "LINE_RATE_LIMIT"
        value = var.line_rate_limit
      }
      env {
        name  = "WEBHOOK_RATE_LIMIT"
        value = var.webhook_rate_limit
      }
      env {
        name  = "BREAKER_FAILURES"
        value = var.breaker_failures
      }
      env {
        name  = "BREAKER_OPEN_MS"
        value = var.breaker_open_ms
      }
      # Provider status callbacks (src/http/callbacks.ts): verified by the provider's signature,
      # reachable because the service admits unauthenticated requests (iam.tf). Empty = off.
      env {
        name  = "PUBLIC_URL"
        value = var.public_url
      }
      env {
        name  = "SENDGRID_WEBHOOK_PUBLIC_KEY"
        value = var.sendgrid_webhook_public_key
      }
      env {
        name = "MYSQL_URL"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.mysql_url.secret_id
            version = "latest"
          }
        }
      }
      env {
        name = "SMTP_URL"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.smtp_url.secret_id
            version = "latest"
          }
        }
      }
      env {
        name  = "INTERNAL_UNSIGNED_UNTIL"
        value = var.internal_unsigned_until
      }
      env {
        name = "INTERNAL_SIGNING_KEYS"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.internal_signing_keys.secret_id
            version = "latest"
          }
        }
      }
      env {
        name = "SUPPRESSION_KEY"
        value_source {
          secret_key_ref {
            secret  = google_secret_manager_secret.suppression_key.secret_id
            version = "latest"
          }
        }
      }

      # Enabled channels only (channels.tf): a channel is configured exactly when its
      # variables are set, so a disabled channel sets none of them.
      dynamic "env" {
        for_each = local.channel_env
        content {
          name  = env.key
          value = env.value
        }
      }
      dynamic "env" {
        for_each = google_secret_manager_secret.channel
        content {
          name = env.key
          value_source {
            secret_key_ref {
              secret  = env.value.secret_id
              version = "latest"
            }
          }
        }
      }

      # Ready only when MySQL answers: a revision that cannot reach its database never
      # takes traffic, and the previous revision keeps serving.
      startup_probe {
        http_get {
          path = "/readyz"
        }
        initial_delay_seconds = 0
        period_seconds        = 5
        timeout_seconds       = 3
        failure_threshold     = 24
      }

      # Liveness means "can make progress": /healthz fails only when a pooled MySQL connection
      # has been held longer than the delivery budget (leaked or stuck). A MySQL outage does
      # not fail it, and must not restart healthy instances (deliveries answer 503 and
      # Pub/Sub retries instead).
      liveness_probe {
        http_get {
          path = "/healthz"
        }
        period_seconds    = 30
        timeout_seconds   = 5
        failure_threshold = 3
      }
    }
  }

  # var.image is the first deploy's image; later images come from Cloud Build
  # (cloudbuild.yaml deploys them), so a later apply must not roll the service back.
  lifecycle {
    ignore_changes = [template[0].containers[0].image, client, client_version]
  }

  depends_on = [
    google_project_service.required,
    # The runtime identity can read its secrets and reach Cloud SQL before the first revision starts.
    google_secret_manager_secret_iam_member.run_reads_secrets,
    google_secret_manager_secret_iam_member.run_reads_channel_secrets,
    # PUSH: FCM is reachable and the runtime account may send before the first delivery.
    google_project_service.fcm,
    google_project_iam_member.run_sends_fcm,
    google_project_iam_member.run_cloudsql_client,
    google_pubsub_topic_iam_member.run_publishes_failures,
    google_pubsub_topic_iam_member.run_publishes_notifications,
    google_pubsub_topic_iam_member.run_publishes_events,
    # The notifier dead-letters and publishes events from its first request on: their
    # stores exist first (a topic without a subscription drops what it receives).
    google_pubsub_subscription.dead_letters_bigquery,
    google_pubsub_subscription.poison_bigquery,
    google_pubsub_subscription.events_bigquery,
  ]
}

# Applies migrations/*.sql (numbered, idempotent, safe to run concurrently). Run it before
# the first deploy and before every deploy that ships a new migration:
#   gcloud run jobs execute notifier-migrate --region REGION --wait
resource "google_cloud_run_v2_job" "migrate" {
  project             = var.project_id
  name                = "notifier-migrate"
  location            = var.region
  deletion_protection = var.deletion_protection

  template {
    task_count  = 1
    parallelism = 1

    template {
      service_account = google_service_account.migrate.email
      timeout         = "600s"
      max_retries     = 1

      volumes {
        name = "cloudsql"
        cloud_sql_instance {
          instances = [var.cloud_sql_instance]
        }
      }

      containers {
        image   = var.image
        command = ["node", "dist/mysql/migrate-cli.js"]

        env {
          name  = "NODE_ENV"
          value = "production"
        }
        env {
          name = "MYSQL_URL"
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.mysql_url.secret_id
              version = "latest"
            }
          }
        }

        volume_mounts {
          name       = "cloudsql"
          mount_path = "/cloudsql"
        }
      }
    }
  }

  # As for the service: Cloud Build updates the job's image before each migration.
  lifecycle {
    ignore_changes = [template[0].template[0].containers[0].image, client, client_version]
  }

  depends_on = [
    google_project_service.required,
    google_secret_manager_secret_iam_member.migrate_reads_mysql_url,
    google_project_iam_member.migrate_cloudsql_client,
  ]
}
