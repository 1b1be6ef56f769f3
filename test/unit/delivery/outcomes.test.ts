import { OUTCOMES, OutcomeKind } from '../../../src/delivery/outcomes';

describe('OUTCOMES', () => {
  test.each(['sent', 'duplicate', 'suppressed', 'expired', 'dead_lettered', 'poisoned', 'sent_unrecorded', 'replay_refused'] as OutcomeKind[])(
    'when the outcome is %s, then Pub/Sub is answered 204 (done with)',
    (kind) => {
      expect(OUTCOMES[kind].status).toBe(204);
    },
  );

  test('when another process holds the lock, then the answer is 409, logged at info', () => {
    expect(OUTCOMES.lock_busy).toEqual({ status: 409, level: 'info' });
  });

  test('when the delivery must be retried, then the answer is 503', () => {
    expect(OUTCOMES.retry.status).toBe(503);
  });

  test('when a replay is refused, then it is logged at warn: an analyst asked for something that was not done', () => {
    expect(OUTCOMES.replay_refused).toEqual({ status: 204, level: 'warn' });
  });

  test('when a send could not be recorded or a payload is poison, then it is logged as an error', () => {
    expect(OUTCOMES.sent_unrecorded.level).toBe('error');
    expect(OUTCOMES.poisoned.level).toBe('error');
  });
});
