# Cloud Scheduler: releases notifications held for quiet hours.
#
# Checked against: provider docs / magic-modules mmv1/products/cloudscheduler/Job.yaml
# (google_cloud_scheduler_job: region, schedule, time_zone default Etc/UTC, attempt_deadline
# "Ns" between 15 s and 30 min for HTTP targets, retry_config retry_count 0-5 with
# min/max_backoff_duration and max_doublings, max_retry_duration default 0 = no time limit,
# http_target uri/http_method/headers/body, http_target.oidc_token service_account_email +
# audience, which defaults to the URI when not set); Cloud Scheduler "Use authentication with
# HTTP targets" (cloud.google.com/scheduler/docs/http-target-auth: the token's service account
# belongs to the job's project; the Cloud Scheduler service agent keeps its automatically
# granted roles/cloudscheduler.serviceAgent, which mints the token; whoever creates the job
# needs iam.serviceAccounts.actAs on that account).
#
# The notifier verifies the token itself (API_AUTH=oidc): aud = var.api_audience, email = the
# notifier-scheduler account (TASKS_CALLER). So the account needs no role, as notifier-push
# needs none: Cloud Run admits every request (iam.tf explains why) and the notifier answers
# 401/403 to anything else.

locals {
  # The call may run as long as Cloud Run lets it, within Cloud Scheduler's range for HTTP
  # targets: the scheduler never gives up on a release Cloud Run is still running.
  release_attempt_deadline_seconds = min(max(var.request_timeout_seconds, 15), 1800)
}

resource "google_cloud_scheduler_job" "release_held" {
  project     = var.project_id
  region      = var.region
  name        = "notifier-release-held"
  description = "Publishes notifications held for quiet hours once their quiet hours are over (POST /tasks/release-held)."
  schedule    = var.release_schedule
  time_zone   = var.release_time_zone

  attempt_deadline = "${local.release_attempt_deadline_seconds}s"

  # A failed call (503: Pub/Sub or MySQL down) is retried twice, 10 s and 20 s later, so the
  # retries end before the next minute's call. Every call is safe to repeat: claims keep
  # concurrent calls apart and the ledger drops a second publish of the same notification.
  retry_config {
    retry_count          = 2
    min_backoff_duration = "10s"
    max_backoff_duration = "20s"
    max_doublings        = 1
  }

  http_target {
    http_method = "POST"
    uri         = "${google_cloud_run_v2_service.notifier.uri}/tasks/release-held"

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = var.api_audience
    }
  }

  depends_on = [
    google_project_service.required,
    # The endpoint accepts requests before the first call.
    google_cloud_run_v2_service_iam_member.public_invoker,
  ]
}
