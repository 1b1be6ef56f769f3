-- One row per (notification_id, channel): the dedup key of exactly-once delivery.
-- utf8mb4_bin keeps producer IDs case- and accent-sensitive on MySQL 8 and MariaDB.
CREATE TABLE IF NOT EXISTS delivery_ledger (
  notification_id     VARCHAR(128) NOT NULL,
  channel             VARCHAR(16)  NOT NULL,
  status              VARCHAR(16)  NOT NULL,
  attempts            INT UNSIGNED NOT NULL DEFAULT 0,
  notification_type   VARCHAR(128) NOT NULL,
  account_id          VARCHAR(128) NOT NULL DEFAULT '',
  first_message_id    VARCHAR(64)  NOT NULL,
  last_message_id     VARCHAR(64)  NOT NULL,
  provider_message_id VARCHAR(255) NULL,
  failure_code        VARCHAR(64)  NULL,
  last_error          VARCHAR(255) NULL,
  created_at          DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at          DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (notification_id, channel),
  KEY idx_delivery_ledger_status_updated (status, updated_at),
  KEY idx_delivery_ledger_account (account_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
