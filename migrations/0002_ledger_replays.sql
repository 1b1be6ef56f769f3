-- Replays: an analyst may re-publish a failed notification (attribute notifier_replay_of).
-- replays counts the replays that reopened the row (capped by MAX_REPLAYS);
-- last_replay_message_id is the Pub/Sub message ID of the last one, which cannot reopen it again.
--
-- MySQL 8 has no ADD COLUMN IF NOT EXISTS, and the runner records a version only after the
-- file ran: each column is added only if missing, so a rerun after a crash in between works.
SET @notifier_ddl = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'delivery_ledger' AND COLUMN_NAME = 'replays') = 0,
  'ALTER TABLE delivery_ledger ADD COLUMN replays INT UNSIGNED NOT NULL DEFAULT 0 AFTER attempts',
  'DO 0');
PREPARE notifier_stmt FROM @notifier_ddl;
EXECUTE notifier_stmt;
DEALLOCATE PREPARE notifier_stmt;

SET @notifier_ddl = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'delivery_ledger' AND COLUMN_NAME = 'last_replay_message_id') = 0,
  'ALTER TABLE delivery_ledger ADD COLUMN last_replay_message_id VARCHAR(64) NULL AFTER last_message_id',
  'DO 0');
PREPARE notifier_stmt FROM @notifier_ddl;
EXECUTE notifier_stmt;
DEALLOCATE PREPARE notifier_stmt;
