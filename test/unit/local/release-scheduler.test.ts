import { startReleaseScheduler } from '../../../src/local/release-scheduler';
import { startHttpStub } from '../../support/http-stub';
import { eventually } from '../../support/notifier';

describe('startReleaseScheduler (what Cloud Scheduler does, locally)', () => {
  test('when running, then it POSTs the release endpoint repeatedly, says what was released, and is quiet when nothing was', async () => {
    let calls = 0;
    const stub = await startHttpStub(() => ({ status: 200, body: { released: ++calls === 2 ? 3 : 0, expired: 0, failed: 0, more: false } }));
    const lines: string[] = [];
    const scheduler = startReleaseScheduler({ endpoint: `${stub.url}/tasks/release-held`, everyMs: 20, say: (l) => lines.push(l) });
    try {
      await eventually('three calls', () => (stub.requests.length >= 3 ? true : undefined));
      expect(stub.requests.every((r) => r.method === 'POST' && r.path === '/tasks/release-held')).toBe(true);
      expect(lines).toEqual(['release held: 200 released 3, expired 0, failed 0']);
    } finally {
      await scheduler.close();
      await stub.close();
    }
  });

  test('when a call is slower than the interval, then calls never overlap', async () => {
    let inFlight = 0;
    let most = 0;
    const stub = await startHttpStub(() => {
      most = Math.max(most, ++inFlight);
      return { status: 200, body: { released: 0 }, delayMs: 60 };
    });
    stub.respond = ((inner) => async (req) => {
      const answer = await inner(req);
      setTimeout(() => inFlight--, answer.delayMs ?? 0);
      return answer;
    })(stub.respond);
    const scheduler = startReleaseScheduler({ endpoint: `${stub.url}/x`, everyMs: 10, say: () => undefined });
    try {
      await eventually('three calls', () => (stub.requests.length >= 3 ? true : undefined));
      expect(most).toBe(1);
    } finally {
      await scheduler.close();
      await stub.close();
    }
  });

  test('when the endpoint fails, then it says so and keeps going', async () => {
    const stub = await startHttpStub(() => ({ status: 503, body: { released: 0, expired: 0, failed: 1 } }));
    const lines: string[] = [];
    const scheduler = startReleaseScheduler({ endpoint: `${stub.url}/x`, everyMs: 20, say: (l) => lines.push(l) });
    try {
      await eventually('two calls', () => (stub.requests.length >= 2 ? true : undefined));
      expect(lines[0]).toBe('release held: 503 released 0, expired 0, failed 1');
    } finally {
      await scheduler.close();
      await stub.close();
    }
  });
});
