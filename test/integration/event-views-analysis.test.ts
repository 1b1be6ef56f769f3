/**
 * The lifecycle-event views as BigQuery would type them: ZetaSQL analyzes the generated
 * terraform/views files against the generated table schemas (test/support/zetasql).
 */
import { EVENT_VIEWS, LATENCY_PERCENTILES, STAGE_COLUMNS } from '../../src/events/views';
import { Analyzer, startAnalyzer } from '../support/zetasql';
import { addSchemaTables, renderedView } from '../support/zetasql/shipped';

let analyzer: Analyzer;

beforeAll(async () => {
  analyzer = await startAnalyzer();
  addSchemaTables(analyzer);
});

afterAll(() => analyzer?.stop());

const columnsOf = async (view: string) =>
  Object.fromEntries((await analyzer.analyze(renderedView(`${view}.sql`))).map((c) => [c.name, c.type]));

describe('the lifecycle-event views, analyzed by ZetaSQL', () => {
  test('when notification_funnel is read, then it has a DATE day, the grouping strings, INT64 stage counts and FLOAT64 rates', async () => {
    expect(await columnsOf(EVENT_VIEWS.funnel)).toEqual({
      day: 'DATE',
      channel: 'STRING',
      type: 'STRING',
      source: 'STRING',
      ...Object.fromEntries(STAGE_COLUMNS.map((s) => [s, 'INT64'])),
      delivery_rate: 'FLOAT64',
      send_rate: 'FLOAT64',
    });
  });

  test('when notification_latency is read, then it has a DATE day, the grouping strings, counts and INT64 millisecond percentiles', async () => {
    const percentiles = ['created_to_sent_ms', 'sent_to_delivered_ms'].flatMap((m) => LATENCY_PERCENTILES.map((p) => [`${m}_p${p}`, 'INT64']));
    expect(await columnsOf(EVENT_VIEWS.latency)).toEqual({
      day: 'DATE',
      channel: 'STRING',
      type: 'STRING',
      sent: 'INT64',
      delivered: 'INT64',
      ...Object.fromEntries(percentiles),
    });
  });
});
