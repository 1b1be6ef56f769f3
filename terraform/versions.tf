# Terraform and provider versions, and the provider configuration.
#
# required_version >= 1.9: variables.tf has validations that refer to other variables
# (e.g. ack_deadline_seconds against the notifier's time budget), which Terraform accepts
# from 1.9 on.
#
# google ~> 7.0: the current major (7.0.0 upgrade guide, magic-modules
# mmv1/third_party/terraform/website/docs/guides/version_7_upgrade.html.markdown). Of its
# breaking changes only google_bigquery_table.view.use_legacy_sql (no default any more)
# touches this configuration, and bigquery.tf sets it explicitly.
terraform {
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = "~> 7.0"
    }
  }

  # State: configure a remote backend for real use, e.g.
  #   backend "gcs" { bucket = "YOUR-STATE-BUCKET" prefix = "notifier" }
}

provider "google" {
  project = var.project_id
  region  = var.region
}
