import { ConfigError, loadConfig } from '../../../src/config';

/** The variables loadConfig cannot start without (local push auth). */
export const required = {
  MYSQL_URL: 'mysql://root@127.0.0.1:3306/notifier',
  SMTP_URL: 'smtp://127.0.0.1:2525',
  EMAIL_FROM: 'Notifier <noreply@example.com>',
  GOOGLE_CLOUD_PROJECT: 'notifier-test',
  DEAD_LETTER_TOPIC: 'notifications-dead-letter',
  PUSH_AUTH: 'none',
};

/** The ConfigError loadConfig throws for `env`; fails the test when it does not throw one. */
export function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('loadConfig did not throw');
}
