-- The suppression list: addresses nothing more is sent to. An address is kept only as an
-- HMAC-SHA256 of the channel and the normalized address under SUPPRESSION_KEY (hex), never
-- in clear. One entry per (channel, address); the first reason stands until removed.
CREATE TABLE IF NOT EXISTS suppressions (
  channel         VARCHAR(16)  NOT NULL,
  address_hash    CHAR(64)     NOT NULL,
  reason          VARCHAR(16)  NOT NULL,  -- hard_bounce, complaint, opt_out, manual
  mandatory_too   BOOLEAN      NOT NULL,  -- hard bounces stop mandatory types as well
  source          VARCHAR(64)  NOT NULL,  -- who put it there: sendgrid, twilio, or the API caller
  notification_id VARCHAR(128) NULL,      -- the delivery whose report put it there, if any
  created_at      DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (channel, address_hash),
  KEY idx_suppressions_created (created_at),
  KEY idx_suppressions_channel_created (channel, created_at)  -- a channel's newest entries: a range, not a scan
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Provider status callbacks name a delivery by the provider's message ID (Twilio's
-- MessageSid, the mail's Message-ID that SendGrid reports as smtp-id).
SET @notifier_ddl = IF(
  (SELECT COUNT(*) FROM information_schema.STATISTICS
   WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'delivery_ledger' AND INDEX_NAME = 'idx_delivery_ledger_provider') = 0,
  'ALTER TABLE delivery_ledger ADD KEY idx_delivery_ledger_provider (provider_message_id)',
  'DO 0');
PREPARE notifier_stmt FROM @notifier_ddl;
EXECUTE notifier_stmt;
DEALLOCATE PREPARE notifier_stmt;
