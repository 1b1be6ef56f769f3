import { once } from 'node:events';
import { describeOutcome, outcomeLine, outcomeLogger, outcomeStream } from '../../../src/local/outcome-lines';

describe('outcomeLine: what npm start prints per delivery', () => {
  test.each([
    [{ outcome: 'sent', notificationId: 'demo-1', channel: 'EMAIL', recipient: 'y**@example.com', attempt: 1 }, 'demo-1 EMAIL: sent to y**@example.com (attempt 1 of 5)'],
    [{ outcome: 'duplicate', notificationId: 'demo-1', channel: 'EMAIL', attempt: 1 }, 'demo-1 EMAIL: duplicate — already handled (the ledger in MySQL remembers this notification ID): nothing sent again'],
    [
      { outcome: 'dead_lettered', notificationId: 'bad-1', channel: 'SMS', code: 'INVALID_RECIPIENT', error: 'twilio 21211' },
      'bad-1 SMS: dead-lettered INVALID_RECIPIENT — twilio 21211 (npm run notifier -- failures --local)',
    ],
    [
      { outcome: 'retry', notificationId: 'flaky-1', channel: 'SMS', code: 'PROVIDER_UNAVAILABLE', attempt: 2, error: 'twilio 503' },
      'flaky-1 SMS: retry PROVIDER_UNAVAILABLE (attempt 2 of 5) — twilio 503; Pub/Sub redelivers it after its backoff',
    ],
    [{ outcome: 'held', notificationId: 'sale-1', channel: 'EMAIL', target: 'EMAIL:1a2b3c4d', releaseAt: '2026-12-08T14:59:00.000Z' }, 'sale-1 EMAIL:1a2b3c4d: held for quiet hours until 2026-12-08T14:59:00.000Z'],
    [
      { outcome: 'suppressed', notificationId: 'sale-1', channel: 'SMS', target: 'SMS:5e6f7a8b', code: 'OPTED_OUT', error: 'marketing.* × SMS: off' },
      'sale-1 SMS:5e6f7a8b: suppressed OPTED_OUT — marketing.* × SMS: off',
    ],
    [{ outcome: 'routed', notificationId: 'sale-1', channel: 'ROUTED', targets: 2 }, 'sale-1 ROUTED: routed to 2 contacts, each delivered on its own'],
    [{ outcome: 'poisoned', messageId: '17', code: 'UNDECODABLE_PAYLOAD', error: 'payload is not valid JSON' }, 'message 17: not a notification: payload is not valid JSON (poison topic)'],
    [{ outcome: 'lock_busy', notificationId: 'n-1', channel: 'EMAIL' }, 'n-1 EMAIL: lock busy'],
  ])('when the outcome is %o, then the line reads %p', (result, line) => {
    expect(outcomeLine(result, 5)).toBe(line);
  });

  test('when a send was rendered from a template, then the line says which rendering', () => {
    expect(describeOutcome({ outcome: 'sent', attempt: 1, template: 'order.shipped@1/ja/373fd2198dbb' }, 5)).toBe('sent (attempt 1 of 5), rendered from order.shipped@1/ja/373fd2198dbb');
  });
});

describe('outcomeLogger', () => {
  test('when a line is not a JSON object, then it is said as it is rather than stopping the log', async () => {
    const said: string[] = [];
    const stream = outcomeStream((l) => said.push(l), { level: 'warn', maxAttempts: 5 });
    stream.end('not json\n[1,2]\n{"level":"warn","message":"after"}\n');
    await once(stream, 'finish');
    expect(said).toEqual(['not json', '[1,2]', 'warn: after']);
  });

  test('when the notifier logs an outcome and other lines, then outcomes are said, and other lines from the level up as readable lines', async () => {
    const said: string[] = [];
    const log = outcomeLogger((l) => said.push(l), { level: 'warn', maxAttempts: 5 });
    log.info('delivery sent', { outcome: 'sent', notificationId: 'demo-1', channel: 'EMAIL', attempt: 1 });
    log.info('notifier listening', { port: 8080 });
    log.warn('circuit breaker open', { channel: 'SMS', provider: 'twilio', failures: 5 });
    log.end();
    await once(log, 'finish');
    expect(said).toEqual(['demo-1 EMAIL: sent (attempt 1 of 5)', 'warn: circuit breaker open (channel SMS, failures 5, provider twilio)']);
  });
});
