import { localFunnel } from '../../src/events/local-funnel';
import { EVENTS_TABLE } from '../../src/events/table';
import { eventually } from '../support/notifier';
import { startTestPipeline, TestPipeline } from '../support/pipeline';

let p: TestPipeline;
beforeAll(async () => {
  p = await startTestPipeline();
});
afterAll(() => p?.close());

async function eventsOf(notificationId: string): Promise<string[]> {
  const [rows] = await p.db.pool.query(`SELECT event FROM ${EVENTS_TABLE} WHERE notification_id = ? ORDER BY occurred_at_micros, event`, [notificationId]);
  return (rows as { event: string }[]).map((r) => r.event);
}

test('when a notification is sent through the local pipeline, then its events land in notification_events and the funnel counts it as received and sent', async () => {
  await p.client.publish({ notificationId: 'evp-1', type: 'evp.shipped', channel: 'EMAIL', email: { to: 'dana@example.com', subject: 'Shipped', text: 'On its way' } });
  await eventually('the mail', () => p.smtp.mailsFor('evp-1')[0]);

  const events = await eventually('the sent event row', async () => {
    const kinds = await eventsOf('evp-1');
    return kinds.includes('sent') ? kinds : undefined;
  }, 20000);
  expect(events).toEqual(expect.arrayContaining(['received', 'sending', 'sent']));

  const funnel = (await localFunnel(p.db.pool)).filter((r) => r.type === 'evp.shipped');
  expect(funnel).toEqual([expect.objectContaining({ channel: 'EMAIL', source: 'pipeline-test', received: 1, sent: 1, failed: 0, send_rate: 1 })]);
});
