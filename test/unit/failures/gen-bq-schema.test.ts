import { readFileSync } from 'node:fs';
import path from 'node:path';
import { generatedFiles } from '../../../src/failures/gen-bq-schema';
import { TERRAFORM_DIR } from '../../../src/paths';

describe('generated files under terraform/ (schemas from notification.proto, views from query.ts)', () => {
  test.each(Object.entries(generatedFiles()))('when the proto changes, then %s must be regenerated (npm run gen:bq-schema)', (file, expected) => {
    const checkedIn = readFileSync(path.join(TERRAFORM_DIR, file), 'utf8');
    if (checkedIn !== expected) {
      throw new Error(`terraform/${file} is out of date: run npm run gen:bq-schema and commit it`);
    }
  });
});
