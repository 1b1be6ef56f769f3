# APIs the notifier's resources need. disable_on_destroy = false: destroying this
# configuration must not switch off an API other workloads in the project may use
# (also the default since provider 7.0).
locals {
  required_apis = toset([
    "bigquery.googleapis.com",
    "cloudscheduler.googleapis.com", # the release of notifications held for quiet hours
    "iam.googleapis.com",
    "iamcredentials.googleapis.com", # Pub/Sub mints the push OIDC token through it
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "sqladmin.googleapis.com", # the Cloud SQL volume of Cloud Run connects through it
  ])
}

resource "google_project_service" "required" {
  for_each = local.required_apis

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

# PUSH only: the FCM HTTP v1 API, in this project (whose service account calls it) and in
# the Firebase project messages are sent for (the same project unless fcm_project_id says
# otherwise). Firebase "Authorize a service account from a different project": the API must
# be enabled in the sender project.
resource "google_project_service" "fcm" {
  for_each = local.fcm_api_projects

  project            = each.value
  service            = "fcm.googleapis.com"
  disable_on_destroy = false
}
