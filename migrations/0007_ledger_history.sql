-- history: the delivery's state changes, oldest first, as a JSON array of
-- {"at": ISO 8601 UTC, "event": lifecycle event, "code": failure or suppression code | null},
-- appended by the write that makes each change (no statement of its own), at most 50
-- entries (the oldest give way). The status API (GET /v1/notifications/{id}) reads it.
SET @notifier_ddl = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'delivery_ledger' AND COLUMN_NAME = 'history') = 0,
  'ALTER TABLE delivery_ledger ADD COLUMN history JSON NULL',
  'DO 0');
PREPARE notifier_stmt FROM @notifier_ddl;
EXECUTE notifier_stmt;
DEALLOCATE PREPARE notifier_stmt;
