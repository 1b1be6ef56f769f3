# Log-based metrics from the notifier's delivery lines, alert policies and the dashboard.
#
# The notifier logs one JSON line per push (src/http/app.ts, src/logging.ts) to stdout:
#   {"severity":"INFO","message":"delivery sent","outcome":"sent","channel":"EMAIL",
#    "attempt":1,"code":...,"durationMs":42,...}
# Cloud Run turns such lines into entries with resource.type "cloud_run_revision" and the
# fields under jsonPayload (severity becomes the entry's severity). Outcome names come from
# src/delivery/outcomes.ts: sent, duplicate, suppressed, expired, replay_refused,
# dead_lettered, poisoned, sent_unrecorded, lock_busy, rate_limited, circuit_open, retry. The
# lines are written at info/warn/error, so log_level must stay at info or debug for the
# counters to see successes.
#
# Provider gates (src/gates/, src/main.ts): rate_limited (429) and circuit_open (503) are
# nacks the notifier answers without calling the provider. They stay in notifier/deliveries
# (the dashboard shows throttling by channel) but not in notifier/delivery_latency: they take
# microseconds and would drag the percentiles of real work down exactly when throttling is
# heavy. A breaker that changes state logs one line, "circuit breaker open" (WARNING),
# "circuit breaker half_open" or "circuit breaker closed" (INFO), with channel, provider
# (smtp, twilio, ...; a webhook's gate key: its allowlist entry or site) and state: notifier/breaker_transitions
# counts them, and an alert fires when one opens.
#
# The push error ratio (alert 3) stays Pub/Sub's view of every nack, throttling included:
# Pub/Sub's response_class cannot tell 429 rate_limited from 409/401/403
# (remote_server_4xx) or 503 circuit_open from 503 retry (remote_server_5xx), and every
# nack, deliberate or not, shrinks the push window and delays the messages behind it. Its
# documentation says how to tell throttling apart; the breaker alert names the provider.
#
# Metric types and labels, and the doc each was checked against:
#   logging.googleapis.com/user/notifier/*            google_logging_metric (magic-modules
#       mmv1/products/logging/Metric.yaml: metric_descriptor, label_extractors
#       EXTRACT(jsonPayload.x), value_extractor, bucket_options)
#   pubsub.googleapis.com/topic/send_message_operation_count   (pubsub_topic, topic_id):
#       publishes to a topic, Pub/Sub metrics list; counts both the notifier's failure
#       records and what the dead-letter policy forwards
#   pubsub.googleapis.com/subscription/oldest_unacked_message_age,
#   pubsub.googleapis.com/subscription/num_undelivered_messages (pubsub_subscription,
#       subscription_id): Pub/Sub "Monitor subscriptions" / metrics list
#   pubsub.googleapis.com/subscription/push_request_count, label response_class (ack,
#       deadline_exceeded, invalid, remote_server_4xx, remote_server_5xx, unreachable):
#       docs.cloud.google.com/pubsub/docs/push-troubleshooting
#   Filter functions monitoring.regex.full_match: cloud.google.com/monitoring/api/v3/filters
#   google_monitoring_alert_policy (condition_threshold, denominator_filter for ratios,
#       aggregations.group_by_fields; magic-modules mmv1/products/monitoring/AlertPolicy.yaml)
#       and google_monitoring_dashboard (dashboard_json): provider docs.
#   Label values of log-based metrics: LogMetric.label_extractors (Cloud Logging API
#       reference: the project bounds labels and active time series, so labels must stay
#       low-cardinality; the provider label is, except for webhooks, where it is bounded by
#       webhook_allowed_hosts and by the notifier's 1000 tracked providers).

locals {
  deliveries_metric_type = "logging.googleapis.com/user/${google_logging_metric.deliveries.name}"
  latency_metric_type    = "logging.googleapis.com/user/${google_logging_metric.delivery_latency.name}"
  breaker_metric_type    = "logging.googleapis.com/user/${google_logging_metric.breaker_transitions.name}"
  events_lost_metric     = "logging.googleapis.com/user/${google_logging_metric.events_lost.name}"
  bigquery_subscriptions = "${google_pubsub_subscription.dead_letters_bigquery.name}|${google_pubsub_subscription.poison_bigquery.name}|${google_pubsub_subscription.events_bigquery.name}"
}

# --- Log-based metrics -------------------------------------------------------------------

resource "google_logging_metric" "deliveries" {
  project     = var.project_id
  name        = "notifier/deliveries"
  description = "Pushes the notifier answered, by outcome (sent, duplicate, dead_lettered, retry, ...) and channel."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${google_cloud_run_v2_service.notifier.name}\" AND jsonPayload.message=~\"^delivery [a-z_]+$\""

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Notifier deliveries"

    labels {
      key         = "outcome"
      value_type  = "STRING"
      description = "Delivery outcome (src/delivery/outcomes.ts)."
    }
    labels {
      key         = "channel"
      value_type  = "STRING"
      description = "Channel (EMAIL, SMS, ...); empty when the payload did not decode."
    }
  }

  label_extractors = {
    outcome = "EXTRACT(jsonPayload.outcome)"
    channel = "EXTRACT(jsonPayload.channel)"
  }

  depends_on = [google_project_service.required]
}

resource "google_logging_metric" "delivery_latency" {
  project     = var.project_id
  name        = "notifier/delivery_latency"
  description = "Time the notifier spent on one push (durationMs of its delivery line), by outcome and channel; without the gate refusals (rate_limited, circuit_open), which call no provider."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${google_cloud_run_v2_service.notifier.name}\" AND jsonPayload.message=~\"^delivery [a-z_]+$\" AND jsonPayload.outcome!=\"rate_limited\" AND jsonPayload.outcome!=\"circuit_open\""

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "DISTRIBUTION"
    unit         = "ms"
    display_name = "Notifier delivery latency"

    labels {
      key         = "outcome"
      value_type  = "STRING"
      description = "Delivery outcome (src/delivery/outcomes.ts)."
    }
    labels {
      key         = "channel"
      value_type  = "STRING"
      description = "Channel (EMAIL, SMS, ...)."
    }
  }

  value_extractor = "EXTRACT(jsonPayload.durationMs)"
  label_extractors = {
    outcome = "EXTRACT(jsonPayload.outcome)"
    channel = "EXTRACT(jsonPayload.channel)"
  }

  # 1 ms .. about 4.6 hours in powers of two.
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 24
      growth_factor      = 2
      scale              = 1
    }
  }

  depends_on = [google_project_service.required]
}

resource "google_logging_metric" "breaker_transitions" {
  project     = var.project_id
  name        = "notifier/breaker_transitions"
  description = "Circuit breaker state changes (open, half_open, closed) by channel and provider, from the notifier's \"circuit breaker <state>\" lines."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${google_cloud_run_v2_service.notifier.name}\" AND jsonPayload.message=~\"^circuit breaker (open|half_open|closed)$\""

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Notifier circuit breaker transitions"

    labels {
      key         = "channel"
      value_type  = "STRING"
      description = "Channel of the provider (EMAIL, SMS, PUSH, SLACK, LINE, WEBHOOK)."
    }
    labels {
      key         = "provider"
      value_type  = "STRING"
      description = "Provider behind the breaker (smtp, twilio, ...); for webhooks the gate key (the allowlist entry or site)."
    }
    labels {
      key         = "state"
      value_type  = "STRING"
      description = "State the breaker moved to: open, half_open or closed."
    }
  }

  label_extractors = {
    channel  = "EXTRACT(jsonPayload.channel)"
    provider = "EXTRACT(jsonPayload.provider)"
    state    = "EXTRACT(jsonPayload.state)"
  }

  depends_on = [google_project_service.required]
}

resource "google_logging_metric" "events_lost" {
  project     = var.project_id
  name        = "notifier/lifecycle_events_lost"
  description = "Lifecycle events the notifier could not publish (failed after the client's retries, or dropped with EVENTS_MAX_PENDING waiting), from its \"lifecycle event failed|dropped\" lines: the first loss of an instance and every 1,000th after it."
  filter      = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=\"${google_cloud_run_v2_service.notifier.name}\" AND jsonPayload.message=~\"^lifecycle event (failed|dropped)$\""

  metric_descriptor {
    metric_kind  = "DELTA"
    value_type   = "INT64"
    unit         = "1"
    display_name = "Notifier lifecycle events lost"
  }

  depends_on = [google_project_service.required]
}

# --- Alert policies ----------------------------------------------------------------------

# (1) Something was dead-lettered (or could not even be decoded).
resource "google_monitoring_alert_policy" "dead_letters" {
  project               = var.project_id
  display_name          = "notifier: notifications dead-lettered"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = var.notification_channels

  conditions {
    display_name = "Messages published to ${google_pubsub_topic.dead_letter.name}"
    condition_threshold {
      filter          = "resource.type=\"pubsub_topic\" AND resource.labels.topic_id=\"${google_pubsub_topic.dead_letter.name}\" AND metric.type=\"pubsub.googleapis.com/topic/send_message_operation_count\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.dead_letter_alert_threshold
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  conditions {
    display_name = "Messages published to ${google_pubsub_topic.poison.name}"
    condition_threshold {
      filter          = "resource.type=\"pubsub_topic\" AND resource.labels.topic_id=\"${google_pubsub_topic.poison.name}\" AND metric.type=\"pubsub.googleapis.com/topic/send_message_operation_count\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.dead_letter_alert_threshold
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      Notifications are being dead-lettered. Find out why in BigQuery:
      `notifier failures --dataset ${var.project_id}.${google_bigquery_dataset.failures.dataset_id} --since 1h`
      (or the failure_summary view). PROVIDER_REJECTED / BAD_CREDENTIALS point at the provider
      or the SMTP_URL secret; ATTEMPTS_EXHAUSTED at a provider or database outage longer than
      the retry sequence (raise notifier_max_attempts / backoff, or fix the dependency);
      INVALID_PAYLOAD / UNDECODABLE_PAYLOAD at a producer. Replay after the fix with
      `notifier replay`. Threshold: dead_letter_alert_threshold.
    EOT
  }

  alert_strategy {
    auto_close = "86400s"
  }
}

# (2) The push subscription (or a BigQuery subscription) is falling behind.
resource "google_monitoring_alert_policy" "backlog" {
  project               = var.project_id
  display_name          = "notifier: backlog growing"
  combiner              = "OR"
  severity              = "ERROR"
  notification_channels = var.notification_channels

  conditions {
    display_name = "Oldest unacked message of ${google_pubsub_subscription.push.name}"
    condition_threshold {
      filter          = "resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=\"${google_pubsub_subscription.push.name}\" AND metric.type=\"pubsub.googleapis.com/subscription/oldest_unacked_message_age\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.backlog_alert_age_seconds
      duration        = "300s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_MAX"
        cross_series_reducer = "REDUCE_MAX"
      }
      trigger {
        count = 1
      }
    }
  }

  conditions {
    display_name = "Oldest unacked message of the BigQuery subscriptions"
    condition_threshold {
      filter          = "resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=monitoring.regex.full_match(\"${local.bigquery_subscriptions}\") AND metric.type=\"pubsub.googleapis.com/subscription/oldest_unacked_message_age\""
      comparison      = "COMPARISON_GT"
      threshold_value = var.backlog_alert_age_seconds
      duration        = "300s"
      aggregations {
        alignment_period     = "60s"
        per_series_aligner   = "ALIGN_MAX"
        cross_series_reducer = "REDUCE_MAX"
        group_by_fields      = ["resource.label.subscription_id"]
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      Messages wait longer than backlog_alert_age_seconds.
      On notifications-push: the notifier is down, rejecting pushes (check the push error
      alert and the dashboard's push responses), or cannot keep up (raise max_instances and,
      within db_max_connections, concurrency/db_pool_size).
      On a *-bigquery subscription: failure records (or, on notification-events-bigquery,
      lifecycle events) cannot be written to BigQuery, most often because the proto gained a
      field the table lacks (run npm run gen:bq-schema and apply) or the Pub/Sub service agent
      lost roles/bigquery.dataEditor on the table.
    EOT
  }

  alert_strategy {
    auto_close = "86400s"
  }
}

# (3) The notifier answers too many pushes with a nack.
resource "google_monitoring_alert_policy" "push_errors" {
  project               = var.project_id
  display_name          = "notifier: push error ratio"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = var.notification_channels

  conditions {
    display_name = "Share of pushes to ${google_pubsub_subscription.push.name} not acknowledged"
    condition_threshold {
      filter             = "resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=\"${google_pubsub_subscription.push.name}\" AND metric.type=\"pubsub.googleapis.com/subscription/push_request_count\" AND metric.labels.response_class!=\"ack\""
      denominator_filter = "resource.type=\"pubsub_subscription\" AND resource.labels.subscription_id=\"${google_pubsub_subscription.push.name}\" AND metric.type=\"pubsub.googleapis.com/subscription/push_request_count\""
      comparison         = "COMPARISON_GT"
      threshold_value    = var.push_error_ratio_threshold
      duration           = "600s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }
      denominator_aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      More than push_error_ratio_threshold of pushes are nacked. By response_class:
      remote_server_5xx = 503, a provider or MySQL is failing (retries, then
      ATTEMPTS_EXHAUSTED); remote_server_4xx = 401/403 (token audience or service account
      mismatch: compare PUSH_AUDIENCE/PUSH_SERVICE_ACCOUNT with the subscription) or 409 (the
      same notification in flight twice); deadline_exceeded = deliveries run past the ack
      deadline (slow provider: raise send_timeout_ms and ack_deadline_seconds together).
      Our own throttling counts too: 429 (outcome rate_limited, a per-instance rate limit or
      the provider's Retry-After) is remote_server_4xx, 503 with outcome circuit_open (an
      open breaker) is remote_server_5xx. The dashboard's "Throttled deliveries" tile tells
      them apart. Throttling by a rate limit set on purpose below the traffic (e.g. Slack at
      1/s) is expected during bursts: raise that channel's *_rate_limit if the provider
      allows more, or push_error_ratio_threshold. circuit_open: see the breaker alert.
    EOT
  }

  alert_strategy {
    auto_close = "86400s"
  }
}

# (4) A provider's circuit breaker opened: that provider failed breaker_failures times in a
#     row, and its deliveries are nacked (circuit_open) until a probe succeeds.
resource "google_monitoring_alert_policy" "breaker_open" {
  project               = var.project_id
  display_name          = "notifier: circuit breaker open"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = var.notification_channels

  conditions {
    display_name = "A provider's circuit breaker opened"
    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"${local.breaker_metric_type}\" AND metric.labels.state=\"open\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.channel", "metric.label.provider"]
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      A provider failed breaker_failures times in a row (timeouts, 5xx, answers lost after
      sending) on at least one instance, so that instance stops calling it for
      breaker_open_ms and nacks its deliveries (outcome circuit_open, 503); then one probe
      tests the provider ("circuit breaker half_open") and closes the breaker on success.
      The incident names channel and provider. Check the provider's status page and the
      notifier's retry / PROVIDER_TIMEOUT lines for that channel. Nothing is lost: refused
      deliveries are redelivered by Pub/Sub, but each refusal counts against
      max_delivery_attempts, so an outage longer than the retry sequence ends in
      PUBSUB_DEAD_LETTER records (replay them with `notifier replay` after the fix).
      Breaker flapping (open/half_open/closed again and again): a provider that is slow
      rather than down; raise send_timeout_ms (with ack_deadline_seconds), or breaker_failures
      to tolerate more failures in a row, or breaker_open_ms to probe less often.
    EOT
  }

  alert_strategy {
    auto_close = "86400s"
  }
}

# --- Dashboard -------------------------------------------------------------------------

resource "google_monitoring_dashboard" "notifier" {
  project = var.project_id
  dashboard_json = templatefile("${path.module}/dashboards/notifier.json.tftpl", {
    deliveries_metric         = local.deliveries_metric_type
    latency_metric            = local.latency_metric_type
    breaker_metric            = local.breaker_metric_type
    push_subscription         = google_pubsub_subscription.push.name
    subscriptions             = "${google_pubsub_subscription.push.name}|${local.bigquery_subscriptions}"
    dead_letter_topic         = google_pubsub_topic.dead_letter.name
    poison_topic              = google_pubsub_topic.poison.name
    backlog_alert_age_seconds = var.backlog_alert_age_seconds
  })

  depends_on = [google_project_service.required]
}

resource "google_monitoring_alert_policy" "events_lost" {
  project               = var.project_id
  display_name          = "notifier: lifecycle events lost"
  combiner              = "OR"
  severity              = "WARNING"
  notification_channels = var.notification_channels

  conditions {
    display_name = "Lifecycle events could not be published"
    condition_threshold {
      filter          = "resource.type=\"cloud_run_revision\" AND metric.type=\"${local.events_lost_metric}\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      trigger {
        count = 1
      }
    }
  }

  documentation {
    mime_type = "text/markdown"
    content   = <<-EOT
      An instance could not publish lifecycle events to the notification-events topic
      ("lifecycle event failed": Pub/Sub refused or did not answer within PUBLISH_TIMEOUT_MS;
      "lifecycle event dropped": EVENTS_MAX_PENDING events were already waiting). Deliveries
      are not affected, and the ledger's history (notifier status, the status API) still has
      every state change; the events table and the funnel miss these. The log lines carry the
      instance's running counts (eventsPublished, eventsFailed, eventsDropped). Check the
      notifier service account's publisher grant on the topic and Pub/Sub's status; raise
      EVENTS_MAX_PENDING only if memory allows (each waiting event is about 1 KB).
    EOT
  }

  alert_strategy {
    auto_close = "1800s"
  }

  depends_on = [google_project_service.required]
}
