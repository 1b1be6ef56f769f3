-- Resolutions: support settles a send outcome the notifier could not know (status `unknown`,
-- dead-lettered SEND_OUTCOME_UNKNOWN) after checking the provider's own logs, with
-- `notifier resolve`. The row keeps who settled it, when (UTC), as what, and why:
--   resolution      sent | failed | resend (resend leaves the row `failed` for one replay to reopen)
--   resolved_by     the operator (--by, default the OS user name)
--   resolved_at     when, UTC like every DATETIME here
--   resolution_note the operator's reason (--reason), at most 255 characters
--
-- MySQL 8 has no ADD COLUMN IF NOT EXISTS, and the runner records a version only after the
-- file ran: each column is added only if missing, so a rerun after a crash in between works.
-- No AFTER clauses: the columns go last whatever other migrations added meanwhile.
SET @notifier_ddl = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'delivery_ledger' AND COLUMN_NAME = 'resolution') = 0,
  'ALTER TABLE delivery_ledger ADD COLUMN resolution VARCHAR(8) NULL',
  'DO 0');
PREPARE notifier_stmt FROM @notifier_ddl;
EXECUTE notifier_stmt;
DEALLOCATE PREPARE notifier_stmt;

SET @notifier_ddl = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'delivery_ledger' AND COLUMN_NAME = 'resolved_by') = 0,
  'ALTER TABLE delivery_ledger ADD COLUMN resolved_by VARCHAR(128) NULL',
  'DO 0');
PREPARE notifier_stmt FROM @notifier_ddl;
EXECUTE notifier_stmt;
DEALLOCATE PREPARE notifier_stmt;

SET @notifier_ddl = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'delivery_ledger' AND COLUMN_NAME = 'resolved_at') = 0,
  'ALTER TABLE delivery_ledger ADD COLUMN resolved_at DATETIME(6) NULL',
  'DO 0');
PREPARE notifier_stmt FROM @notifier_ddl;
EXECUTE notifier_stmt;
DEALLOCATE PREPARE notifier_stmt;

SET @notifier_ddl = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'delivery_ledger' AND COLUMN_NAME = 'resolution_note') = 0,
  'ALTER TABLE delivery_ledger ADD COLUMN resolution_note VARCHAR(255) NULL',
  'DO 0');
PREPARE notifier_stmt FROM @notifier_ddl;
EXECUTE notifier_stmt;
DEALLOCATE PREPARE notifier_stmt;
