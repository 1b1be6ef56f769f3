import type { Pool } from 'mysql2/promise';
import { Evidence } from './reconcile';

/** Pub/Sub's own dead-letter policy forwarded it (no notifier failure code): the view's name for it. */
export const PUBSUB_DEAD_LETTER = 'PUBSUB_DEAD_LETTER';

/** Ledger status of every EMAIL row. */
async function ledgerStatuses(pool: Pool): Promise<Map<string, string>> {
  const [rows] = await pool.query("SELECT notification_id AS id, status FROM delivery_ledger WHERE channel = 'EMAIL'");
  return new Map((rows as { id: string; status: string }[]).map((r) => [r.id, r.status]));
}

/** Failure codes of the stand-in's dead-letter rows, oldest first, per notification ID. */
async function deadLetterCodes(pool: Pool): Promise<Map<string, string[]>> {
  const [rows] = await pool.query(
    `SELECT notification_id AS id, JSON_VALUE(attributes, '$.notifier_failure_code') AS code
     FROM dead_letters ORDER BY publish_time`,
  );
  const codes = new Map<string, string[]>();
  for (const r of rows as { id: string; code: string | null }[]) {
    const list = codes.get(r.id) ?? [];
    list.push(r.code ?? PUBSUB_DEAD_LETTER);
    codes.set(r.id, list);
  }
  return codes;
}

/** Poison rows: payloads the notifier could not decode (a drill publishes none). */
export async function poisonCount(pool: Pool): Promise<number> {
  const [rows] = await pool.query('SELECT COUNT(*) AS n FROM poison_messages');
  return Number((rows as { n: number }[])[0]!.n);
}

/** The three witnesses, read now. The pool must reach the database directly (not through a cut proxy). */
export async function gatherEvidence(pool: Pool, published: readonly string[], mails: ReadonlyMap<string, number>): Promise<Evidence> {
  const [ledger, deadLetters] = await Promise.all([ledgerStatuses(pool), deadLetterCodes(pool)]);
  return { published, mails, ledger, deadLetters };
}
