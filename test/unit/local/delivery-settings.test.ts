import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readDeliverySettings } from '../../../src/local/delivery-settings';

function variablesFile(body: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'tf-')), 'variables.tf');
  writeFileSync(file, body);
  return file;
}

describe('readDeliverySettings', () => {
  test("when reading the repository's terraform/variables.tf, then the defaults are Terraform's", async () => {
    expect(await readDeliverySettings()).toEqual({
      maxDeliveryAttempts: 10,
      notifierMaxAttempts: 5,
      minimumBackoffSeconds: 10,
      maximumBackoffSeconds: 600,
      ackDeadlineSeconds: 60,
      schemaEncoding: 'JSON',
    });
  });

  test('when a variable is missing, then the error names it and the file', async () => {
    const file = variablesFile('variable "max_delivery_attempts" {\n  default = 7\n}\n');
    await expect(readDeliverySettings(file)).rejects.toThrow(`${file}: variable "notifier_max_attempts" with a default is missing`);
  });

  test('when a numeric default is not an integer, then the error names the variable', async () => {
    const names = ['max_delivery_attempts', 'notifier_max_attempts', 'minimum_backoff_seconds', 'maximum_backoff_seconds', 'ack_deadline_seconds'];
    const body = names.map((n) => `variable "${n}" {\n  default = ${n === 'ack_deadline_seconds' ? '"soon"' : 10}\n}\n`).join('');
    const file = variablesFile(`${body}variable "schema_encoding" {\n  default = "JSON"\n}\n`);
    await expect(readDeliverySettings(file)).rejects.toThrow('default of "ack_deadline_seconds" is not an integer');
  });
});
