-- template: the rendering a templated delivery sent, `id@version/locale/digest` (a webhook,
-- which gets the data itself, `id@version`): which wording the recipient got, and from which
-- files (the digest covers them). NULL for notifications sent with the producer's own text.
SET @notifier_ddl = IF(
  (SELECT COUNT(*) FROM information_schema.COLUMNS
   WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'delivery_ledger' AND COLUMN_NAME = 'template') = 0,
  'ALTER TABLE delivery_ledger ADD COLUMN template VARCHAR(200) NULL AFTER provider_message_id',
  'DO 0');
PREPARE notifier_stmt FROM @notifier_ddl;
EXECUTE notifier_stmt;
DEALLOCATE PREPARE notifier_stmt;
