import { SmtpSink, startSmtpSink } from './smtp-sink';
import { createTestDatabase, TestDatabase } from './db';
import { createTestTopics, TestTopics } from './pubsub';

/** What an integration test file talks to: its own database, SMTP server and topics. */
export interface RealParts {
  db: TestDatabase;
  /** Replaceable: a test that restarts the SMTP server assigns the new one here. */
  smtp: SmtpSink;
  topics: TestTopics;
  close(): Promise<void>;
}

export async function startRealParts(): Promise<RealParts> {
  const [db, smtp, topics] = await Promise.all([createTestDatabase(), startSmtpSink(), createTestTopics()]);
  const parts: RealParts = {
    db,
    smtp,
    topics,
    async close() {
      await Promise.all([parts.smtp.close(), topics.close()]);
      await db.drop();
    },
  };
  return parts;
}
