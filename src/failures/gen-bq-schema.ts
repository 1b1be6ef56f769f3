/**
 * `npm run gen:bq-schema`: writes the BigQuery table schemas of the failure tables (from
 * `notification.proto`) and of the lifecycle events (from `notification_event.proto`), and
 * the analyst views (from failures/query.ts, the SQL the CLI also runs, and events/views.ts)
 * under terraform/, where Terraform reads them. A test fails when the checked-in files are
 * out of date.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { notificationType } from '../codec/schema';
import { eventTableSchema, EVENTS_TABLE } from '../events/table';
import { eventViewSql } from '../events/views';
import { TERRAFORM_DIR } from '../paths';
import { deadLetterTableSchema, POISON_TABLE_SCHEMA } from './bigquery-schema';
import { viewSql } from './query';

/** Path under terraform/ → content, exactly as checked in. */
export function generatedFiles(): Record<string, string> {
  const render = (fields: unknown) => `${JSON.stringify(fields, null, 2)}\n`;
  const views = Object.entries({ ...viewSql(), ...eventViewSql() }).map(([file, sql]) => [`views/${file}`, sql]);
  return {
    'schemas/dead_letters.json': render(deadLetterTableSchema(notificationType())),
    'schemas/poison_messages.json': render(POISON_TABLE_SCHEMA),
    [`schemas/${EVENTS_TABLE}.json`]: render(eventTableSchema()),
    ...Object.fromEntries(views),
  };
}

if (require.main === module) {
  for (const [file, content] of Object.entries(generatedFiles())) {
    mkdirSync(path.dirname(path.join(TERRAFORM_DIR, file)), { recursive: true });
    writeFileSync(path.join(TERRAFORM_DIR, file), content);
    process.stdout.write(`wrote terraform/${file}\n`);
  }
}
