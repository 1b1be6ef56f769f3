-- send_claim: a random token written with status `sending` by the delivery that is about to
-- call the provider. When that write timed out on the client, the delivery reads the row
-- afresh and puts it back to `pending` only if it still carries its own token, so a row is
-- `sending` only while a send may really have started (and never reverts another's claim).
SET @notifier_ddl = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'delivery_ledger' AND COLUMN_NAME = 'send_claim') = 0,
  'ALTER TABLE delivery_ledger ADD COLUMN send_claim CHAR(16) NULL AFTER release_at',
  'DO 0');
PREPARE notifier_stmt FROM @notifier_ddl;
EXECUTE notifier_stmt;
DEALLOCATE PREPARE notifier_stmt;
