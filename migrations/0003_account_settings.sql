-- Per-account notification settings, written by the settings API and read by deliveries,
-- always by primary key or its prefix. What one account may hold is bounded by the API's
-- limits (contacts per channel, preference rules), so a delivery's reads stay bounded too.

CREATE TABLE IF NOT EXISTS account_settings (
  account_id   VARCHAR(128)      NOT NULL,
  locale       VARCHAR(35)       NULL,     -- BCP 47, e.g. ja-JP
  time_zone    VARCHAR(64)       NULL,     -- IANA, e.g. Asia/Tokyo
  quiet_start  SMALLINT UNSIGNED NULL,     -- quiet hours: minutes after local midnight, [start, end)
  quiet_end    SMALLINT UNSIGNED NULL,
  updated_at   DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Where an account is reached: per channel an ordered list (position 0 first).
CREATE TABLE IF NOT EXISTS account_contacts (
  account_id VARCHAR(128)     NOT NULL,
  channel    VARCHAR(16)      NOT NULL,
  position   TINYINT UNSIGNED NOT NULL,
  address    VARCHAR(4096)    NOT NULL,
  PRIMARY KEY (account_id, channel, position)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Opt-ins and opt-outs: scope is '*', 'category.*' or a type; channel a channel name or '*'.
CREATE TABLE IF NOT EXISTS account_preferences (
  account_id VARCHAR(128) NOT NULL,
  scope      VARCHAR(130) NOT NULL,
  channel    VARCHAR(16)  NOT NULL,
  enabled    BOOLEAN      NOT NULL,
  PRIMARY KEY (account_id, scope, channel)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Notifications held for quiet hours: the message as received, to publish again when due.
-- One row per ledger key (notification_id, target); status held → releasing → released,
-- or expired. A release claims due rows with a token; a claim older than the release
-- timeout may be taken over (the ledger keeps a second publish harmless).
CREATE TABLE IF NOT EXISTS held_notifications (
  notification_id   VARCHAR(128) NOT NULL,
  target            VARCHAR(16)  NOT NULL,
  account_id        VARCHAR(128) NOT NULL DEFAULT '',
  status            VARCHAR(16)  NOT NULL,
  release_at        DATETIME(6)  NOT NULL,
  expires_at        DATETIME(6)  NULL,
  source_message_id VARCHAR(64)  NOT NULL,
  data              MEDIUMBLOB   NOT NULL,
  attributes        TEXT         NOT NULL,  -- JSON object of the message's attributes
  claim_token       CHAR(32)     NULL,
  claimed_at        DATETIME(6)  NULL,
  created_at        DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at        DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (notification_id, target),
  KEY idx_held_due (status, release_at),
  KEY idx_held_account (account_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The ledger's release time of a held delivery (status 'held').
SET @notifier_ddl = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'delivery_ledger' AND COLUMN_NAME = 'release_at') = 0,
  'ALTER TABLE delivery_ledger ADD COLUMN release_at DATETIME(6) NULL AFTER last_error',
  'DO 0');
PREPARE notifier_stmt FROM @notifier_ddl;
EXECUTE notifier_stmt;
DEALLOCATE PREPARE notifier_stmt;
