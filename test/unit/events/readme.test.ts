import { readFileSync } from 'node:fs';
import path from 'node:path';
import { EVENT_KINDS } from '../../../src/codec/event';
import { PACKAGE_ROOT } from '../../../src/paths';

/** docs/analysts.md's "## Lifecycle events" section, up to the next "## " heading. */
function section(): string {
  const guide = readFileSync(path.join(PACKAGE_ROOT, 'docs/analysts.md'), 'utf8');
  const start = guide.search(/^## Lifecycle events\s*$/m);
  expect(start).toBeGreaterThanOrEqual(0);
  const rest = guide.slice(start + 1);
  const end = rest.search(/^## /m);
  return end === -1 ? rest : rest.slice(0, end);
}

describe('docs/analysts.md "Lifecycle events"', () => {
  test('when the event kinds are documented, then the table lists exactly EVENT_KINDS, in their order, each with a meaning', () => {
    const rows = [...section().matchAll(/^\| `([a-z_]+)` \| (.+) \|$/gm)];
    expect(rows.map((r) => r[1])).toEqual([...EVENT_KINDS]);
    for (const [, kind, meaning] of rows) expect({ kind, meaning: meaning!.length > 10 }).toEqual({ kind, meaning: true });
  });

  test('when producers read it, then it shows a subscription filtered on the source attribute and a delivery-rate query on the funnel view', () => {
    const text = section();
    expect(text).toContain(`--message-filter='attributes.source = "orders"'`);
    expect(text).toMatch(/FROM `PROJECT\.DATASET\.notification_funnel`/);
    expect(text).toContain('AS delivery_rate');
  });
});
