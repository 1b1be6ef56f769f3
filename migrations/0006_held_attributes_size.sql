-- A held message keeps the attributes it came with, as JSON. Pub/Sub allows 100 attributes of
-- up to 256 + 1024 bytes, and JSON escapes a control character in six: TEXT (64 KB) refused
-- some real messages on every delivery. MEDIUMTEXT (16 MB) holds any. MODIFY is idempotent.
ALTER TABLE held_notifications MODIFY attributes MEDIUMTEXT NOT NULL;
