# Secret Manager secrets for the two connection URLs that carry credentials.
#
# Terraform creates the secrets, never their values: a value in Terraform would also sit in
# the state file. Operators add a version once, before the Cloud Run service and the
# migration job are created (they resolve version "latest" at deploy time):
#
#   printf '%s' 'mysql://notifier:PASS@localhost/notifier?socketPath=/cloudsql/PROJECT:REGION:INSTANCE' \
#     | gcloud secrets versions add notifier-mysql-url --data-file=-
#   printf '%s' 'smtps://USER:PASS@smtp.example.com:465' \
#     | gcloud secrets versions add notifier-smtp-url --data-file=-
#
# Rotation: add a new version, then deploy a new revision (terraform apply with a changed
# image, or gcloud run services update notifier --region REGION): "latest" is resolved when
# an instance starts.
#
# Checked against: provider docs for google_secret_manager_secret (replication { auto {} })
# and google_cloud_run_v2_service env.value_source.secret_key_ref.

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
