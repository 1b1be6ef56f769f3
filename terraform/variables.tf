# Variables operators tune. `npm start` reads the defaults of the Pub/Sub delivery
# variables below for its local subscriptions, so what runs on a laptop is what is set here.

variable "max_delivery_attempts" {
  description = "Pub/Sub dead-letter policy: deliveries of one message before Pub/Sub forwards it to the dead-letter topic. A backstop above notifier_max_attempts."
  type        = number
  default     = 10
  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "max_delivery_attempts must be between 5 and 100 (Pub/Sub's range)."
  }
}

variable "notifier_max_attempts" {
  description = "The notifier's own attempt budget (MAX_ATTEMPTS): after this many transient failures it dead-letters the notification as ATTEMPTS_EXHAUSTED, with the reason. Must stay below max_delivery_attempts so the notifier, not Pub/Sub, records why."
  type        = number
  default     = 5
  validation {
    condition     = var.notifier_max_attempts >= 1 && var.notifier_max_attempts < var.max_delivery_attempts
    error_message = "notifier_max_attempts must be at least 1 and below max_delivery_attempts."
  }
}

variable "minimum_backoff_seconds" {
  description = "Pub/Sub retry policy: the shortest wait before redelivering a nacked message."
  type        = number
  default     = 10
  validation {
    condition     = var.minimum_backoff_seconds >= 0 && var.minimum_backoff_seconds <= 600
    error_message = "minimum_backoff_seconds must be between 0 and 600."
  }
}

variable "maximum_backoff_seconds" {
  description = "Pub/Sub retry policy: the longest wait before redelivering a nacked message."
  type        = number
  default     = 600
  validation {
    condition     = var.maximum_backoff_seconds >= 0 && var.maximum_backoff_seconds <= 600 && var.maximum_backoff_seconds >= var.minimum_backoff_seconds
    error_message = "maximum_backoff_seconds must be between 0 and 600 and not below minimum_backoff_seconds."
  }
}

variable "ack_deadline_seconds" {
  description = "Push subscription ack deadline, which is also the push request timeout. Must exceed the notifier's delivery budget (SEND_TIMEOUT_MS + LOCK_WAIT_SECONDS + MYSQL_TIMEOUT_MS + PUBLISH_TIMEOUT_MS), or Pub/Sub redelivers while a delivery is still running."
  type        = number
  default     = 60
  validation {
    condition     = var.ack_deadline_seconds >= 10 && var.ack_deadline_seconds <= 600
    error_message = "ack_deadline_seconds must be between 10 and 600."
  }
  validation {
    # The notifier's delivery budget (src/config/service.ts deliveryBudgetMs) plus a 5 s margin for
    # the request's own overhead; the notifier also refuses to start when the budget does not fit.
    condition     = var.ack_deadline_seconds * 1000 >= var.send_timeout_ms + var.lock_wait_seconds * 1000 + var.mysql_timeout_ms + var.publish_timeout_ms + 5000
    error_message = "ack_deadline_seconds * 1000 must be at least send_timeout_ms + lock_wait_seconds * 1000 + mysql_timeout_ms + publish_timeout_ms + 5000, or Pub/Sub redelivers while a delivery is still running."
  }
}

variable "schema_encoding" {
  description = "Encoding of the notifications topic's protobuf schema; producers' clients must use the same."
  type        = string
  default     = "JSON"
  validation {
    condition     = contains(["JSON", "BINARY"], var.schema_encoding)
    error_message = "schema_encoding must be JSON or BINARY."
  }
}

# ---------------------------------------------------------------------------------------
# Everything below extends the six delivery variables above. Cross-variable validations
# need Terraform >= 1.9 (versions.tf). Ranges are the platform's (cited per variable) or
# the notifier's own start-up checks (src/config/service.ts), whichever is narrower.
# ---------------------------------------------------------------------------------------

# --- Where it runs ---------------------------------------------------------------------

variable "project_id" {
  description = "Google Cloud project that holds every resource of the notifier (topics, Cloud Run, BigQuery, secrets, monitoring)."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project ID (6-30 lowercase letters, digits, hyphens; optionally domain-scoped)."
  }
}

variable "region" {
  description = "Region of the Cloud Run service and the migration job (use the Cloud SQL instance's region to keep database round trips short)."
  type        = string
  default     = "us-central1"
  nullable    = false
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a Cloud Run region such as us-central1 or europe-west1."
  }
}

variable "image" {
  description = "Container image of the notifier (the Cloud Build output, e.g. REGION-docker.pkg.dev/PROJECT/notifier/notifier@sha256:...). The service and the migration job run the same image."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^[a-z0-9.-]+(:[0-9]+)?/[^ ]+$", var.image))
    error_message = "image must be a full image reference: registry host, path, and a tag or digest."
  }
}

variable "cloud_sql_instance" {
  description = "Connection name of the Cloud SQL for MySQL instance, PROJECT:REGION:INSTANCE. Mounted at /cloudsql/PROJECT:REGION:INSTANCE; the MYSQL_URL secret names that socket with ?socketPath=."
  type        = string
  nullable    = false
  validation {
    condition     = length(split(":", var.cloud_sql_instance)) >= 3 && alltrue([for part in split(":", var.cloud_sql_instance) : length(part) > 0])
    error_message = "cloud_sql_instance must be a connection name PROJECT:REGION:INSTANCE."
  }
}

# --- Push authentication and mail ------------------------------------------------------

variable "push_audience" {
  description = "The `aud` claim Pub/Sub puts in the push OIDC token and the notifier requires (PUSH_AUDIENCE). Any fixed string; it cannot be the service URL because that URL is only known after the service exists."
  type        = string
  default     = "notifier-pubsub-push"
  nullable    = false
  validation {
    condition     = length(var.push_audience) > 0 && length(var.push_audience) <= 500 && !strcontains(var.push_audience, " ")
    error_message = "push_audience must be a non-empty string without spaces."
  }
}

variable "email_from" {
  description = "Sender of every email (EMAIL_FROM): addr@domain or Name <addr@domain>."
  type        = string
  nullable    = false
  validation {
    condition     = can(regex("^([^<>]*<[^\\s@<>]+@[^\\s@<>]+>|[^\\s@<>]+@[^\\s@<>]+)$", var.email_from))
    error_message = "email_from must be addr@domain or Name <addr@domain>."
  }
}

variable "log_level" {
  description = "The notifier's LOG_LEVEL. info logs one line per delivery, which the log-based metrics and the dashboard are built on: below info (warn, error) they only see failures."
  type        = string
  default     = "info"
  nullable    = false
  validation {
    condition     = contains(["error", "warn", "info", "debug"], var.log_level)
    error_message = "log_level must be one of error, warn, info, debug."
  }
}

variable "resend_safe_types" {
  description = "Notification types that may be sent again when a crash left the send outcome unknown (RESEND_SAFE_TYPES). Empty: such notifications are dead-lettered as SEND_OUTCOME_UNKNOWN instead."
  type        = list(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for t in var.resend_safe_types : length(t) > 0 && !strcontains(t, ",")])
    error_message = "resend_safe_types entries must be non-empty and contain no commas."
  }
}

# --- The notifier's time budget --------------------------------------------------------
# One delivery may spend up to SEND_TIMEOUT_MS + LOCK_WAIT_SECONDS + MYSQL_TIMEOUT_MS +
# PUBLISH_TIMEOUT_MS. The ack deadline (= push request timeout) must cover it with a margin,
# and the Cloud Run request timeout must cover the ack deadline: a caller that gives up
# before the callee is done redelivers work that may have succeeded (seed 000).

variable "send_timeout_ms" {
  description = "Deadline of one provider call (SEND_TIMEOUT_MS); past it the call is abandoned for good. Raise it for a slow provider, together with ack_deadline_seconds; shutdown_grace_ms must cover it."
  type        = number
  default     = 8000
  nullable    = false
  validation {
    condition     = var.send_timeout_ms >= 100 && var.send_timeout_ms <= 300000
    error_message = "send_timeout_ms must be between 100 and 300000 (the notifier's accepted range)."
  }
}

variable "lock_wait_seconds" {
  description = "GET_LOCK wait (LOCK_WAIT_SECONDS): a concurrent duplicate gives up after this and is nacked with 409."
  type        = number
  default     = 1
  nullable    = false
  validation {
    condition     = var.lock_wait_seconds >= 0 && var.lock_wait_seconds <= 30
    error_message = "lock_wait_seconds must be between 0 and 30."
  }
}

variable "mysql_timeout_ms" {
  description = "Bound on each MySQL statement and on waiting for a pooled connection (MYSQL_TIMEOUT_MS). The server's lock waits are set a second below it, so the server gives up first."
  type        = number
  default     = 5000
  nullable    = false
  validation {
    condition     = var.mysql_timeout_ms >= 2000 && var.mysql_timeout_ms <= 60000
    error_message = "mysql_timeout_ms must be between 2000 and 60000 (the server's lock waits, in whole seconds, end a second before it)."
  }
}

variable "publish_timeout_ms" {
  description = "Bound on publishing one failure record to the dead-letter or poison topic (PUBLISH_TIMEOUT_MS)."
  type        = number
  default     = 5000
  nullable    = false
  validation {
    condition     = var.publish_timeout_ms >= 100 && var.publish_timeout_ms <= 60000
    error_message = "publish_timeout_ms must be between 100 and 60000."
  }
}

variable "max_replays" {
  description = "Replays (messages with notifier_replay_of) that may reopen one failed notification (MAX_REPLAYS); 0 refuses every replay."
  type        = number
  default     = 3
  nullable    = false
  validation {
    condition     = var.max_replays >= 0 && var.max_replays <= 100
    error_message = "max_replays must be between 0 and 100."
  }
}

variable "shutdown_grace_ms" {
  description = "On SIGTERM, how long in-flight deliveries may take before the process exits (SHUTDOWN_GRACE_MS). Cloud Run sends SIGKILL 10 s after SIGTERM, so this stays below 10000; it must cover the longest send plus 1000 ms to record it."
  type        = number
  default     = 9500
  nullable    = false
  validation {
    condition     = var.shutdown_grace_ms >= 0 && var.shutdown_grace_ms < 10000
    error_message = "shutdown_grace_ms must be at least 0 and below 10000 (Cloud Run kills 10 s after SIGTERM)."
  }
  validation {
    condition     = var.shutdown_grace_ms >= var.send_timeout_ms + 1000
    error_message = "shutdown_grace_ms must be at least send_timeout_ms + 1000: a process that exits mid-send leaves an unknown outcome instead of a sent notification."
  }
}

variable "message_retention_seconds" {
  description = "How long the push subscription (and the BigQuery subscriptions) keep an unacknowledged message. Pub/Sub's range is 10 minutes to 31 days; retention beyond 24 h is billed. Must outlast every retry Pub/Sub makes before dead-lettering."
  type        = number
  default     = 604800
  nullable    = false
  validation {
    condition     = var.message_retention_seconds >= 600 && var.message_retention_seconds <= 2678400
    error_message = "message_retention_seconds must be between 600 (10 minutes) and 2678400 (31 days), Pub/Sub's range."
  }
  validation {
    # Worst case before Pub/Sub's own dead-letter policy fires: every attempt waits the
    # maximum backoff and then runs into the ack deadline. Expiring earlier loses the message
    # without a dead-letter record.
    condition     = var.message_retention_seconds >= var.max_delivery_attempts * (var.maximum_backoff_seconds + var.ack_deadline_seconds)
    error_message = "message_retention_seconds must be at least max_delivery_attempts * (maximum_backoff_seconds + ack_deadline_seconds), or messages expire before they are dead-lettered."
  }
}

# --- Scaling and connections -----------------------------------------------------------

variable "min_instances" {
  description = "Cloud Run minimum instances. 0 scales to zero (a cold start delays the first push after a quiet period); 1 or more keeps instances warm."
  type        = number
  default     = 0
  nullable    = false
  validation {
    condition     = var.min_instances >= 0 && var.min_instances <= 1000
    error_message = "min_instances must be between 0 and 1000."
  }
}

variable "max_instances" {
  description = "Cloud Run maximum instances. Each holds up to 2 * db_pool_size MySQL connections (the delivery pool and the settings/release pool), so 2 * db_pool_size * max_instances must fit db_max_connections."
  type        = number
  default     = 10
  nullable    = false
  validation {
    condition     = var.max_instances >= 1 && var.max_instances <= 1000
    error_message = "max_instances must be between 1 and 1000."
  }
  validation {
    condition     = var.min_instances <= var.max_instances
    error_message = "min_instances must not exceed max_instances."
  }
}

variable "concurrency" {
  description = "Requests one Cloud Run instance handles at once (max_instance_request_concurrency; Cloud Run allows 1-1000). Each in-flight delivery holds one pooled MySQL connection for its whole send, so it must not exceed db_pool_size."
  type        = number
  default     = 10
  nullable    = false
  validation {
    condition     = var.concurrency >= 1 && var.concurrency <= 1000
    error_message = "concurrency must be between 1 and 1000 (Cloud Run's range)."
  }
  validation {
    condition     = var.concurrency <= var.db_pool_size
    error_message = "concurrency must not exceed db_pool_size: each in-flight delivery holds one MySQL connection."
  }
}

variable "request_timeout_seconds" {
  description = "Cloud Run request timeout (1-3600 s). Must be at least ack_deadline_seconds so Cloud Run never cuts off a delivery Pub/Sub is still waiting for, and below release_claim_timeout_ms / 1000. Also the release job's attempt deadline (within Cloud Scheduler's 15 s-30 min)."
  type        = number
  default     = 120
  nullable    = false
  validation {
    condition     = var.request_timeout_seconds >= 1 && var.request_timeout_seconds <= 3600
    error_message = "request_timeout_seconds must be between 1 and 3600 (Cloud Run's range)."
  }
  validation {
    condition     = var.request_timeout_seconds >= var.ack_deadline_seconds
    error_message = "request_timeout_seconds must be at least ack_deadline_seconds."
  }
}

variable "db_pool_size" {
  description = "MySQL connections per pool and instance (MYSQL_POOL_SIZE): one pool for deliveries, one for settings, releases and routing, so an instance holds up to twice this. Cloud SQL allows up to 100 connections per Cloud Run instance."
  type        = number
  default     = 10
  nullable    = false
  validation {
    condition     = var.db_pool_size >= 1 && var.db_pool_size <= 50
    error_message = "db_pool_size must be between 1 and 50: an instance holds two pools, and Cloud SQL allows 100 connections per Cloud Run instance."
  }
}

variable "db_max_connections" {
  description = "MySQL connections the notifier may use on the Cloud SQL instance: its max_connections (4000 on standard tiers, 250 on db-f1-micro) minus what other clients and the migration job need."
  type        = number
  default     = 250
  nullable    = false
  validation {
    condition     = var.db_max_connections >= 1 && var.db_max_connections <= 100000
    error_message = "db_max_connections must be between 1 and 100000."
  }
  validation {
    condition     = 2 * var.db_pool_size * var.max_instances <= var.db_max_connections
    error_message = "2 * db_pool_size * max_instances must not exceed db_max_connections: at full scale the pools (two per instance) would exhaust MySQL."
  }
}

variable "smtp_pool_size" {
  description = "Pooled SMTP connections per instance (SMTP_POOL_SIZE)."
  type        = number
  default     = 5
  nullable    = false
  validation {
    condition     = var.smtp_pool_size >= 1 && var.smtp_pool_size <= 100
    error_message = "smtp_pool_size must be between 1 and 100."
  }
}

variable "cpu" {
  description = "CPU limit of one notifier instance (Cloud Run: 1, 2, 4 or 8; concurrency above 1 needs at least 1)."
  type        = string
  default     = "1"
  nullable    = false
  validation {
    condition     = contains(["1", "2", "4", "8"], var.cpu)
    error_message = "cpu must be one of 1, 2, 4, 8."
  }
}

variable "memory_mib" {
  description = "Memory limit of one notifier instance in MiB. Every in-flight push can hold up to 64 MiB while it parses, decodes and sends or dead-letters a 10 MB message (npm run bench:memory), on top of 192 MiB for the process, so it must be at least 192 + 64 * concurrency."
  type        = number
  default     = 1024
  nullable    = false
  validation {
    condition     = var.memory_mib >= 512 && var.memory_mib <= 32768
    error_message = "memory_mib must be between 512 and 32768 (Cloud Run's second-generation range)."
  }
  validation {
    condition     = var.memory_mib >= 192 + 64 * var.concurrency
    error_message = "memory_mib must be at least 192 + 64 * concurrency: each in-flight push of a 10 MB message can hold 64 MiB."
  }
}

# --- Failure store and lifecycle events (BigQuery) ------------------------------------

variable "bigquery_dataset_id" {
  description = "Dataset of the failure tables and views (dead_letters, poison_messages, failed_notifications, failure_summary). The CLI's FAILURES_DATASET is PROJECT.DATASET."
  type        = string
  default     = "notifier_failures"
  nullable    = false
  validation {
    condition     = can(regex("^[A-Za-z0-9_]{1,1024}$", var.bigquery_dataset_id))
    error_message = "bigquery_dataset_id may contain only letters, digits and underscores (1-1024 characters)."
  }
}

variable "bigquery_location" {
  description = "BigQuery location of the dataset (US, EU, or a region such as asia-northeast1)."
  type        = string
  default     = "US"
  nullable    = false
  validation {
    condition     = can(regex("^(US|EU|[a-z]+-[a-z]+[0-9]+)$", var.bigquery_location))
    error_message = "bigquery_location must be US, EU or a region name."
  }
}

variable "failure_retention_days" {
  description = "Days a failure record is kept: the partition expiration of dead_letters and poison_messages (partitioned by publish_time)."
  type        = number
  default     = 400
  nullable    = false
  validation {
    condition     = var.failure_retention_days >= 1 && var.failure_retention_days <= 3650
    error_message = "failure_retention_days must be between 1 and 3650."
  }
}

variable "events_retention_days" {
  description = "Days a lifecycle event is kept: the partition expiration of notification_events (partitioned by occurred_at_micros). The funnel and latency views read every retained day, so this also bounds what one view query scans; raise it for longer trends."
  type        = number
  default     = 90
  nullable    = false
  validation {
    condition     = var.events_retention_days >= 1 && var.events_retention_days <= 3650
    error_message = "events_retention_days must be between 1 and 3650."
  }
}

variable "deletion_protection" {
  description = "Protects the failure tables and views, the Cloud Run service and the migration job from terraform destroy (set false only to tear down a test project)."
  type        = bool
  default     = true
  nullable    = false
}

# --- Producers -------------------------------------------------------------------------

variable "internal_unsigned_until" {
  description = "Upgrading from a release that did not sign the notifier's own attributes: an instant (RFC 3339, e.g. 2026-12-08T09:00:00Z) shortly after the upgrade's deploy; messages published before it keep their unsigned notifier_* attributes (INTERNAL_UNSIGNED_UNTIL). Empty: none do. Clear it once message_retention_seconds has passed."
  type        = string
  default     = ""
  nullable    = false
  validation {
    condition     = var.internal_unsigned_until == "" || can(regex("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?(Z|[+-][0-9]{2}:[0-9]{2})$", var.internal_unsigned_until))
    error_message = "internal_unsigned_until must be empty or an RFC 3339 instant with a zone, such as 2026-12-08T09:00:00Z."
  }
}

variable "operators" {
  description = "IAM members (user:, group: or serviceAccount:) who replay and resend failed notifications: each may read the internal signing keys and publish to the notifications topic."
  type        = list(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for m in var.operators : can(regex("^(user|group|serviceAccount):[^@\\s]+@[^@\\s]+$", m))])
    error_message = "operators must be IAM members such as user:ana@example.com, group:oncall@example.com or serviceAccount:ops@p.iam.gserviceaccount.com."
  }
}

variable "producer_service_accounts" {
  description = "Service account emails of producer services; each gets roles/pubsub.publisher on the notifications topic only."
  type        = list(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for email in var.producer_service_accounts : can(regex("^[^@\\s]+@[^@\\s]+\\.gserviceaccount\\.com$", email))])
    error_message = "producer_service_accounts must be service account emails (...@....gserviceaccount.com)."
  }
}

# --- Alerts ----------------------------------------------------------------------------

variable "notification_channels" {
  description = "Cloud Monitoring notification channels the alert policies notify (projects/PROJECT/notificationChannels/ID). Empty: alerts open incidents in the console only."
  type        = list(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for c in var.notification_channels : can(regex("^projects/[^/]+/notificationChannels/[^/]+$", c))])
    error_message = "notification_channels entries must be projects/PROJECT/notificationChannels/ID."
  }
}

variable "dead_letter_alert_threshold" {
  description = "Alert when more than this many messages are published to the dead-letter (or poison) topic within 5 minutes. 0 alerts on any dead letter."
  type        = number
  default     = 0
  nullable    = false
  validation {
    condition     = var.dead_letter_alert_threshold >= 0 && var.dead_letter_alert_threshold <= 1000000
    error_message = "dead_letter_alert_threshold must be between 0 and 1000000."
  }
}

variable "backlog_alert_age_seconds" {
  description = "Alert when the oldest unacknowledged message of the push subscription (or of a BigQuery subscription) is older than this. A healthy retry sequence with the default backoff dead-letters within a few minutes."
  type        = number
  default     = 900
  nullable    = false
  validation {
    condition     = var.backlog_alert_age_seconds >= 60 && var.backlog_alert_age_seconds <= 2678400
    error_message = "backlog_alert_age_seconds must be between 60 and 2678400 (31 days)."
  }
}

variable "push_error_ratio_threshold" {
  description = "Alert when more than this fraction of push requests is not acknowledged (response_class other than ack) over 10 minutes. Some 409 (duplicate in flight) and 503 (provider retry) are normal."
  type        = number
  default     = 0.2
  nullable    = false
  validation {
    condition     = var.push_error_ratio_threshold > 0 && var.push_error_ratio_threshold < 1
    error_message = "push_error_ratio_threshold must be between 0 and 1 (exclusive)."
  }
}

# --- Channels beyond email -------------------------------------------------------------
# EMAIL is always on (SMTP_URL). Every other channel is configured only when its
# credentials are set (src/config/channels.ts); channels.tf derives from enabled_channels
# which secrets exist, which the runtime account may read, and which variables Cloud Run
# sets. A channel left out is not configured: its notifications are dead-lettered
# CHANNEL_NOT_CONFIGURED. Formats are the notifier's own start-up checks.

variable "enabled_channels" {
  description = "Channels the notifier delivers besides EMAIL (always on): any of SMS (Twilio), PUSH (FCM HTTP v1), SLACK, LINE, WEBHOOK. Each enabled channel gets its Secret Manager secrets (add a version before applying) and its settings; notifications for a channel left out are dead-lettered CHANNEL_NOT_CONFIGURED."
  type        = set(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for c in var.enabled_channels : contains(["SMS", "PUSH", "SLACK", "LINE", "WEBHOOK"], c)])
    error_message = "enabled_channels may contain only SMS, PUSH, SLACK, LINE and WEBHOOK (upper case; EMAIL is always on)."
  }
}

variable "twilio_account_sid" {
  description = "SMS: the Twilio account SID (TWILIO_ACCOUNT_SID, AC followed by 32 hex digits). Not a secret; the auth token is the notifier-twilio-auth-token secret. Required when SMS is enabled."
  type        = string
  default     = ""
  nullable    = false
  validation {
    condition     = var.twilio_account_sid == "" || can(regex("^AC[0-9a-fA-F]{32}$", var.twilio_account_sid))
    error_message = "twilio_account_sid must be a Twilio account SID: AC followed by 32 hex digits."
  }
  validation {
    condition     = !contains(var.enabled_channels, "SMS") || var.twilio_account_sid != ""
    error_message = "twilio_account_sid is required when enabled_channels contains SMS."
  }
}

variable "twilio_from" {
  description = "SMS: the sender (TWILIO_FROM), an E.164 number such as +14155550100 or a messaging service SID (MG followed by 32 hex digits). Required when SMS is enabled."
  type        = string
  default     = ""
  nullable    = false
  validation {
    condition     = var.twilio_from == "" || can(regex("^(\\+[1-9][0-9]{6,14}|MG[0-9a-fA-F]{32})$", var.twilio_from))
    error_message = "twilio_from must be an E.164 number (+ and 7-15 digits, no leading 0) or a messaging service SID (MG and 32 hex digits)."
  }
  validation {
    condition     = !contains(var.enabled_channels, "SMS") || var.twilio_from != ""
    error_message = "twilio_from is required when enabled_channels contains SMS."
  }
}

variable "fcm_project_id" {
  description = "PUSH: the Firebase project the notifier sends FCM messages for (FCM_PROJECT_ID). Empty: project_id. The runtime service account gets the Firebase Cloud Messaging API Admin role there, and fcm.googleapis.com is enabled there and in project_id."
  type        = string
  default     = ""
  nullable    = false
  validation {
    condition     = var.fcm_project_id == "" || can(regex("^[a-z][a-z0-9-]{4,61}[a-z0-9]$", var.fcm_project_id))
    error_message = "fcm_project_id must be a Firebase (Google Cloud) project ID: lowercase letters, digits and hyphens, starting with a letter."
  }
  validation {
    # The notifier accepts no domain-scoped ID (example.com:project) as FCM_PROJECT_ID.
    condition     = !contains(var.enabled_channels, "PUSH") || can(regex("^[a-z][a-z0-9-]{4,61}[a-z0-9]$", coalesce(var.fcm_project_id, var.project_id)))
    error_message = "fcm_project_id must be set when PUSH is enabled and project_id is domain-scoped (example.com:project): FCM needs the plain project ID."
  }
}

variable "slack_credentials" {
  description = "SLACK: which credentials the notifier has: bot_token (chat.postMessage to any channel the bot is in; secret notifier-slack-bot-token, SLACK_BOT_TOKEN) and/or webhook_url (one incoming webhook, whose URL is the credential; secret notifier-slack-webhook-url, SLACK_WEBHOOK_URL)."
  type        = set(string)
  default     = ["bot_token"]
  nullable    = false
  validation {
    condition     = length(var.slack_credentials) > 0 && alltrue([for c in var.slack_credentials : contains(["bot_token", "webhook_url"], c)])
    error_message = "slack_credentials must name bot_token, webhook_url or both."
  }
}

variable "webhook_allowed_hosts" {
  description = "WEBHOOK: host names webhooks may be sent to (WEBHOOK_ALLOWED_HOSTS); *.example.com allows the subdomains of example.com, and :port another port than 443 (without one, an entry admits port 443 only). Empty: any public host on port 443 (private, loopback and link-local addresses are always refused in production). Rate limits and breakers are per entry. Anything else is dead-lettered DESTINATION_NOT_ALLOWED."
  type        = list(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for h in var.webhook_allowed_hosts : can(regex("^(\\*\\.)?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:[1-9][0-9]{0,4})?$", h))])
    error_message = "webhook_allowed_hosts entries must be lowercase host names (no scheme or path), optionally starting with *. for subdomains and ending with :port."
  }
}

# --- Provider status callbacks -----------------------------------------------------------
# Twilio's status callbacks and incoming messages, SendGrid's Event Webhook. The service
# already admits unauthenticated requests (iam.tf); each callback is verified by its
# provider's signature in the notifier, never by Google OIDC.

variable "public_url" {
  description = "The notifier's own base URL as Twilio and SendGrid call it (PUBLIC_URL), https and without a trailing slash: the service_url output (or a custom domain mapped to the service). The SMS channel asks Twilio for status callbacks at PUBLIC_URL/v1/callbacks/twilio/status, and Twilio's signatures are checked against it. Empty: Twilio callbacks are off. The service cannot name its own URL before it exists: apply once, then set this to the service_url output and apply again."
  type        = string
  default     = ""
  nullable    = false
  validation {
    condition     = var.public_url == "" || can(regex("^https://[^/?#\\s@]+(/[^?#\\s]*[^/?#\\s])?$", var.public_url))
    error_message = "public_url must be empty or an https URL without query, fragment or trailing slash, such as https://notifier-abc123-uc.a.run.app."
  }
}

variable "sendgrid_webhook_public_key" {
  description = "The verification key of SendGrid's Signed Event Webhook (SENDGRID_WEBHOOK_PUBLIC_KEY): base64 of the DER ECDSA P-256 public key, as SendGrid's Mail Settings show it. A public key, not a secret. Point the Event Webhook at PUBLIC_URL/v1/callbacks/sendgrid with signing enabled. Empty: SendGrid callbacks are off (404)."
  type        = string
  default     = ""
  nullable    = false
  validation {
    condition     = var.sendgrid_webhook_public_key == "" || can(regex("^[A-Za-z0-9+/]{80,400}={0,2}$", var.sendgrid_webhook_public_key))
    error_message = "sendgrid_webhook_public_key must be empty or the base64 public key SendGrid shows (no PEM header, no line breaks)."
  }
}

# --- Provider rate limits and circuit breakers --------------------------------------------
# Both are per instance and per provider (webhooks: per allowlist entry, else per site). A delivery the
# limit or an open breaker refuses is nacked without calling the provider (429 / 503,
# outcomes rate_limited / circuit_open) and not counted against notifier_max_attempts —
# but Pub/Sub counts every nack against max_delivery_attempts, so a long refusal ends in
# Pub/Sub's own dead-lettering (failure code PUBSUB_DEAD_LETTER).

variable "email_rate_limit" {
  description = "EMAIL: SMTP sends per second per instance (EMAIL_RATE_LIMIT); 0 = unlimited (the SMTP pool, smtp_pool_size, bounds it)."
  type        = number
  default     = 0
  nullable    = false
  validation {
    condition     = var.email_rate_limit >= 0 && var.email_rate_limit <= 100000
    error_message = "email_rate_limit must be between 0 and 100000 (0 = unlimited)."
  }
  validation {
    condition     = floor(var.email_rate_limit) == var.email_rate_limit
    error_message = "email_rate_limit must be a whole number."
  }
}

variable "sms_rate_limit" {
  description = "SMS: Twilio calls per second per instance (SMS_RATE_LIMIT); 0 = unlimited. Keep max_instances x this within the sender's Twilio throughput (messages per second of the number or messaging service)."
  type        = number
  default     = 10
  nullable    = false
  validation {
    condition     = var.sms_rate_limit >= 0 && var.sms_rate_limit <= 100000
    error_message = "sms_rate_limit must be between 0 and 100000 (0 = unlimited)."
  }
  validation {
    condition     = floor(var.sms_rate_limit) == var.sms_rate_limit
    error_message = "sms_rate_limit must be a whole number."
  }
}

variable "push_rate_limit" {
  description = "PUSH: FCM calls per second per instance (PUSH_RATE_LIMIT); 0 = unlimited."
  type        = number
  default     = 500
  nullable    = false
  validation {
    condition     = var.push_rate_limit >= 0 && var.push_rate_limit <= 100000
    error_message = "push_rate_limit must be between 0 and 100000 (0 = unlimited)."
  }
  validation {
    condition     = floor(var.push_rate_limit) == var.push_rate_limit
    error_message = "push_rate_limit must be a whole number."
  }
}

variable "slack_rate_limit" {
  description = "SLACK: Slack calls per second per instance (SLACK_RATE_LIMIT); 0 = unlimited. Slack's chat.postMessage allows about one message per second per channel."
  type        = number
  default     = 1
  nullable    = false
  validation {
    condition     = var.slack_rate_limit >= 0 && var.slack_rate_limit <= 100000
    error_message = "slack_rate_limit must be between 0 and 100000 (0 = unlimited)."
  }
  validation {
    condition     = floor(var.slack_rate_limit) == var.slack_rate_limit
    error_message = "slack_rate_limit must be a whole number."
  }
}

variable "line_rate_limit" {
  description = "LINE: Messaging API calls per second per instance (LINE_RATE_LIMIT); 0 = unlimited."
  type        = number
  default     = 100
  nullable    = false
  validation {
    condition     = var.line_rate_limit >= 0 && var.line_rate_limit <= 100000
    error_message = "line_rate_limit must be between 0 and 100000 (0 = unlimited)."
  }
  validation {
    condition     = floor(var.line_rate_limit) == var.line_rate_limit
    error_message = "line_rate_limit must be a whole number."
  }
}

variable "webhook_rate_limit" {
  description = "WEBHOOK: requests per second per instance to each destination site, the allowlist entry that admitted the URL or else its registrable domain (WEBHOOK_RATE_LIMIT); 0 = unlimited."
  type        = number
  default     = 20
  nullable    = false
  validation {
    condition     = var.webhook_rate_limit >= 0 && var.webhook_rate_limit <= 100000
    error_message = "webhook_rate_limit must be between 0 and 100000 (0 = unlimited)."
  }
  validation {
    condition     = floor(var.webhook_rate_limit) == var.webhook_rate_limit
    error_message = "webhook_rate_limit must be a whole number."
  }
}

variable "breaker_failures" {
  description = "Consecutive provider failures (timeouts, 5xx, unknown outcomes) that open a provider's circuit breaker (BREAKER_FAILURES); 0 disables breakers. An open breaker nacks that provider's deliveries (circuit_open, 503) without calling it."
  type        = number
  default     = 5
  nullable    = false
  validation {
    condition     = var.breaker_failures >= 0 && var.breaker_failures <= 1000
    error_message = "breaker_failures must be between 0 and 1000 (0 disables the breakers)."
  }
  validation {
    condition     = floor(var.breaker_failures) == var.breaker_failures
    error_message = "breaker_failures must be a whole number."
  }
}

variable "breaker_open_ms" {
  description = "How long an open breaker refuses calls before one probe may test the provider again (BREAKER_OPEN_MS). Pub/Sub's retries of a refused message must outlast it, or Pub/Sub dead-letters messages before the provider is even retried."
  type        = number
  default     = 30000
  nullable    = false
  validation {
    condition     = var.breaker_open_ms >= 100 && var.breaker_open_ms <= 600000
    error_message = "breaker_open_ms must be between 100 and 600000 (the notifier's accepted range)."
  }
  validation {
    condition     = floor(var.breaker_open_ms) == var.breaker_open_ms
    error_message = "breaker_open_ms must be a whole number."
  }
  validation {
    # Each refusal is a nack Pub/Sub counts; its redeliveries wait at least
    # minimum_backoff_seconds each. Unless breakers are off, a message that meets an open
    # breaker must still have a delivery left when the breaker lets a probe through.
    condition     = var.breaker_failures == 0 || (var.max_delivery_attempts - 1) * var.minimum_backoff_seconds * 1000 > var.breaker_open_ms
    error_message = "breaker_open_ms must be below (max_delivery_attempts - 1) * minimum_backoff_seconds * 1000 (unless breaker_failures is 0), or Pub/Sub dead-letters messages before an open breaker lets a call through."
  }
}

# --- Account settings API, quiet hours and releases ---------------------------------------
# The settings API and the task endpoints verify callers' OIDC tokens in the notifier
# (API_AUTH=oidc), as push does; Cloud Run lets every request through (iam.tf).

variable "api_audience" {
  description = "The `aud` claim the notifier requires on settings API and task calls (API_AUDIENCE); the scheduler's token and the settings callers' tokens carry it. A fixed string like push_audience (the service URL is only known after the service exists), and a different one, so a token minted for one endpoint is never accepted by the other."
  type        = string
  default     = "notifier-api"
  nullable    = false
  validation {
    condition     = length(var.api_audience) > 0 && length(var.api_audience) <= 500 && !strcontains(var.api_audience, " ")
    error_message = "api_audience must be a non-empty string without spaces."
  }
  validation {
    condition     = var.api_audience != var.push_audience
    error_message = "api_audience must differ from push_audience: a push token must not open the settings API or the task endpoints."
  }
}

variable "settings_callers" {
  description = "Service account emails of the services allowed to read and change account settings (SETTINGS_CALLERS), e.g. the account service behind the product's settings page. Empty: nobody may call the settings API."
  type        = list(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for email in var.settings_callers : can(regex("^[^@\\s,]+@[^@\\s,]+\\.gserviceaccount\\.com$", email))])
    error_message = "settings_callers must be service account emails (...@....gserviceaccount.com)."
  }
}

variable "status_callers" {
  description = "Service account emails of the services allowed to read delivery status (STATUS_CALLERS: GET /v1/notifications/{id} and /v1/accounts/{id}/notifications), e.g. the support tool or a producer that shows its users what was sent. Empty: nobody may call the status API."
  type        = list(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for email in var.status_callers : can(regex("^[^@\\s,]+@[^@\\s,]+\\.gserviceaccount\\.com$", email))])
    error_message = "status_callers must be service account emails (...@....gserviceaccount.com)."
  }
}

variable "suppression_callers" {
  description = "Service account emails of the services allowed to look up, add, remove and list suppression list entries (SUPPRESSION_CALLERS: POST /v1/suppressions, /v1/suppressions:lookup, /v1/suppressions:remove, GET /v1/suppressions), e.g. the support tool. Empty: nobody may call the suppression API."
  type        = list(string)
  default     = []
  nullable    = false
  validation {
    condition     = alltrue([for email in var.suppression_callers : can(regex("^[^@\\s,]+@[^@\\s,]+\\.gserviceaccount\\.com$", email))])
    error_message = "suppression_callers must be service account emails (...@....gserviceaccount.com)."
  }
}

variable "mandatory_types" {
  description = "Notification types, or category.* patterns, that opt-outs and quiet hours never apply to (MANDATORY_TYPES): what an account must receive at once whatever it chose, such as security alerts and one-time codes (security.*) and legal notices (legal.*). Producers name such types accordingly; add e.g. otp.* if one-time codes are named so."
  type        = list(string)
  default     = ["security.*", "legal.*"]
  nullable    = false
  validation {
    condition     = alltrue([for t in var.mandatory_types : can(regex("^[^\\s,*]+(\\.\\*)?$", t))])
    error_message = "mandatory_types entries must be a type (order.shipped) or a category pattern (security.*), without spaces or commas."
  }
}

variable "release_schedule" {
  description = "Cloud Scheduler cron schedule of POST /tasks/release-held, which publishes held notifications whose quiet hours are over. Every minute by default: a held notification goes out at most about a minute after its quiet hours end."
  type        = string
  default     = "* * * * *"
  nullable    = false
  validation {
    condition     = can(regex("^\\S+( \\S+){4}$", var.release_schedule))
    error_message = "release_schedule must be a cron expression of five fields, e.g. \"* * * * *\"."
  }
}

variable "release_time_zone" {
  description = "Time zone (tz database name) release_schedule is read in. Irrelevant for the every-minute default; the accounts' own time zones decide when quiet hours end."
  type        = string
  default     = "Etc/UTC"
  nullable    = false
  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$", var.release_time_zone))
    error_message = "release_time_zone must be a tz database name such as Etc/UTC or Asia/Tokyo."
  }
}

variable "release_batch_size" {
  description = "Held notifications one release call publishes (RELEASE_BATCH_SIZE). With the every-minute schedule this is the release rate per minute: size it for the largest number of notifications held until the same moment (quiet hours ending at 07:00 in one time zone); the call answers more=true while a backlog remains."
  type        = number
  default     = 500
  nullable    = false
  validation {
    condition     = var.release_batch_size >= 1 && var.release_batch_size <= 5000 && floor(var.release_batch_size) == var.release_batch_size
    error_message = "release_batch_size must be a whole number from 1 to 5000 (the notifier's accepted range)."
  }
}

variable "release_claim_timeout_ms" {
  description = "After how long a release's claim on held notifications may be taken over by a later release (RELEASE_CLAIM_TIMEOUT_MS): a release that died mid-way. Must exceed the Cloud Run request timeout, so a release still running never has its rows taken (which would publish them twice; the ledger would drop the second, but it is waste)."
  type        = number
  default     = 300000
  nullable    = false
  validation {
    condition     = var.release_claim_timeout_ms >= 10000 && var.release_claim_timeout_ms <= 3600000 && floor(var.release_claim_timeout_ms) == var.release_claim_timeout_ms
    error_message = "release_claim_timeout_ms must be a whole number from 10000 to 3600000 (the notifier's accepted range)."
  }
  validation {
    condition     = var.release_claim_timeout_ms > var.request_timeout_seconds * 1000
    error_message = "release_claim_timeout_ms must exceed request_timeout_seconds * 1000: a release still running must keep its claims."
  }
}
