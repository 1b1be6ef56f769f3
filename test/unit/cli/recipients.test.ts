import { Readable } from 'node:stream';
import { CliError } from '../../../src/cli/errors';
import { countRecipients, readRecipients, RecipientFormat, recipientFormat, RecipientRecord } from '../../../src/cli/recipients';

/** The text as a stream cut into chunks of `size` bytes, so records and characters straddle chunks. */
function streamOf(text: string, size = 7): Readable {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

async function readAll(text: string, format: RecipientFormat): Promise<RecipientRecord[]> {
  const records: RecipientRecord[] = [];
  for await (const r of readRecipients(streamOf(text), format, 'in.' + format)) records.push(r);
  return records;
}

const QUOTED_CSV =
  '\uFEFFid, email ,note\r\n' +
  'u1,a@example.com,"Hello, world"\r\n' +
  '\r\n' +
  'u2,b@example.com,"two\nlines and a ""quote"""\r\n' +
  'u3,  c@example.com  ,plain';

describe('readRecipients (CSV)', () => {
  it('when values are quoted with commas, newlines and doubled quotes, then each record keeps them', async () => {
    expect(await readAll(QUOTED_CSV, 'csv')).toEqual([
      { number: 1, fields: { id: 'u1', email: 'a@example.com', note: 'Hello, world' } },
      { number: 2, fields: { id: 'u2', email: 'b@example.com', note: 'two\nlines and a "quote"' } },
      { number: 3, fields: { id: 'u3', email: 'c@example.com', note: 'plain' } },
    ]);
  });

  it('when a record has more values than the header has columns, then the error names the file and line', async () => {
    const read = readAll('id,email\nu1,a@example.com\nu2,b@example.com,extra\n', 'csv');
    await expect(read).rejects.toThrow(CliError);
    await expect(readAll('id,email\nu1,a@example.com\nu2,b@example.com,extra\n', 'csv')).rejects.toThrow(/^in\.csv: .*line 3/);
  });

  it('when a quote is never closed, then the error names the file', async () => {
    await expect(readAll('id,email\nu1,"a@example.com\n', 'csv')).rejects.toThrow(/^in\.csv: .*[Qq]uote/);
  });

  it('when only a header is given, then there are no recipients', async () => {
    expect(await readAll('id,email\n', 'csv')).toEqual([]);
  });
});

describe('readRecipients (NDJSON)', () => {
  it('when lines hold objects, then each is a record; blank lines are skipped and not numbered', async () => {
    const text = '{"id":"u1","n":1}\r\n\n   \n{"id":"u2","name":"Zoë"}\n{"id":"u3"}';
    expect(await readAll(text, 'ndjson')).toEqual([
      { number: 1, fields: { id: 'u1', n: 1 } },
      { number: 2, fields: { id: 'u2', name: 'Zoë' } },
      { number: 3, fields: { id: 'u3' } },
    ]);
  });

  it('when a line is not JSON, then the error names the file and the line number', async () => {
    const text = '{"id":"u1"}\n\n{"id": "u2",}\n{"id":"u3"}\n';
    await expect(readAll(text, 'ndjson')).rejects.toThrow(/^in\.ndjson line 3: not valid JSON/);
  });

  it('when a line is JSON but not an object, then the error names the line', async () => {
    await expect(readAll('{"id":"u1"}\n["u2"]\n', 'ndjson')).rejects.toThrow('in.ndjson line 2: expected a JSON object');
  });

  it('when the reader stops early, then the input stream is released', async () => {
    const input = streamOf('{"id":"u1"}\n{"id":"u2"}\n{"id":"u3"}\n');
    for await (const r of readRecipients(input, 'ndjson', 'in.ndjson')) if (r.number === 1) break;
    expect(input.destroyed).toBe(true);
  });
});

describe('countRecipients', () => {
  it('when CSV values hold newlines, then the count is of records, not lines', async () => {
    await expect(countRecipients(streamOf(QUOTED_CSV), 'csv', 'in.csv')).resolves.toBe(3);
  });

  it('when a CSV file has only a header, or nothing, then the count is 0', async () => {
    await expect(countRecipients(streamOf('id,email\n'), 'csv', 'in.csv')).resolves.toBe(0);
    await expect(countRecipients(streamOf(''), 'csv', 'in.csv')).resolves.toBe(0);
  });

  it('when NDJSON has blank lines and no final newline, then only non-blank lines count', async () => {
    await expect(countRecipients(streamOf('{"a":1}\r\n\n \t\n{"a":2}\n{"a":3}'), 'ndjson', 'in.ndjson')).resolves.toBe(3);
  });

  it('when counted and read, then both agree', async () => {
    const text = 'id\n' + Array.from({ length: 500 }, (_, i) => (i % 7 ? `u${i}` : `"u${i}\nx"`)).join('\n') + '\n';
    const count = await countRecipients(streamOf(text, 64), 'csv', 'in.csv');
    expect(count).toBe((await readAll(text, 'csv')).length);
  });
});

describe('recipientFormat', () => {
  it.each([
    ['people.csv', undefined, 'csv'],
    ['people.CSV', undefined, 'csv'],
    ['people.ndjson', undefined, 'ndjson'],
    ['people.jsonl', undefined, 'ndjson'],
    ['people.txt', 'NDJSON', 'ndjson'],
    ['-', 'csv', 'csv'],
  ])('when the path is %p and --format %p, then the format is %p', (path, flag, format) => {
    expect(recipientFormat(path, flag)).toBe(format);
  });

  it('when reading standard input without --format, then the error asks for it', () => {
    expect(() => recipientFormat('-', undefined)).toThrow('cannot tell the format of standard input: pass --format csv or --format ndjson');
  });

  it('when --format is unknown, then the error names it', () => {
    expect(() => recipientFormat('a.csv', 'xlsx')).toThrow('--format: must be csv or ndjson, got "xlsx"');
  });
});
