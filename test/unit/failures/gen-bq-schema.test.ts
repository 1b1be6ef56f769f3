import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { generatedFiles } from '../../../src/failures/gen-bq-schema';
import { TERRAFORM_DIR } from '../../../src/paths';

describe('generated files under terraform/ (schemas from the protos, views from failures/query.ts and events/views.ts)', () => {
  test.each(Object.entries(generatedFiles()))('when the proto changes, then %s must be regenerated (npm run gen:bq-schema)', (file, expected) => {
    const checkedIn = readFileSync(path.join(TERRAFORM_DIR, file), 'utf8');
    if (checkedIn !== expected) {
      throw new Error(`terraform/${file} is out of date: run npm run gen:bq-schema and commit it`);
    }
  });

  test('when listing terraform/schemas and terraform/views, then every file there is generated, the lifecycle events\' included', () => {
    const onDisk = ['schemas', 'views'].flatMap((dir) => readdirSync(path.join(TERRAFORM_DIR, dir)).map((f) => `${dir}/${f}`));
    expect(onDisk.sort()).toEqual(Object.keys(generatedFiles()).sort());
    expect(onDisk).toEqual(
      expect.arrayContaining(['schemas/notification_events.json', 'views/notification_funnel.sql', 'views/notification_latency.sql']),
    );
  });
});
