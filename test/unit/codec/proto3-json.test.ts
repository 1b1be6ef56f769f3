import protobuf from 'protobufjs';
import { DecodeError, fromProto3Json, toProto3Json } from '../../../src/codec/proto3-json';

const { root } = protobuf.parse(
  `syntax = "proto3";
  message Sample {
    enum Kind { KIND_UNSPECIFIED = 0; BIG = 1; }
    message Inner { string label = 1; }
    int32 small = 1;
    uint32 count = 2;
    uint64 big_count = 3;
    bool flag = 4;
    double ratio = 5;
    bytes blob = 6;
    repeated string tags = 7;
    map<string, int32> scores = 8;
    repeated Inner items = 9;
    Kind kind = 10;
  }`,
  { keepCase: true },
);
const sample = root.lookupType('Sample');
sample.resolveAll();
const decode = (json: unknown) => fromProto3Json(sample, json);

describe('fromProto3Json', () => {
  test('when every field kind is given, then the toObject shape comes out', () => {
    const out = decode({
      small: -5,
      count: '7',
      bigCount: '18446744073709551615',
      flag: true,
      ratio: '0.5',
      blob: 'aGk=',
      tags: ['a', 'b'],
      scores: { x: 1 },
      items: [{ label: 'l' }],
      kind: 'BIG',
    });
    expect(out).toEqual({
      small: -5,
      count: 7,
      big_count: '18446744073709551615',
      flag: true,
      ratio: 0.5,
      blob: Buffer.from('hi'),
      tags: ['a', 'b'],
      scores: { x: 1 },
      items: [{ label: 'l' }],
      kind: 1,
    });
  });

  test.each([
    ['small', 2147483648],
    ['small', -2147483649],
    ['count', -1],
    ['count', '4294967296'],
    ['big_count', '-1'],
    ['big_count', '18446744073709551616'],
  ])('when %s is %p, then a DecodeError says it is out of range', (field, value) => {
    expect(() => decode({ [field]: value })).toThrow(new RegExp(`^${field}: .* is out of range`));
  });

  test.each([
    ['small', 1.5, 'expected an integer'],
    ['small', '1e3', 'expected an integer'],
    ['flag', 'true', 'expected true or false'],
    ['ratio', 'abc', 'expected a number'],
    ['ratio', true, 'expected a number'],
    ['blob', 'not base64!', 'expected base64 bytes'],
    ['tags', 'a', 'expected an array'],
    ['tags', ['a', 1], 'expected a string'],
    ['scores', [], 'expected an object'],
    ['items', [5], 'expected a JSON object'],
  ])('when %s is %p, then a DecodeError says %s', (field, value, problem) => {
    expect(() => decode({ [field]: value })).toThrow(DecodeError);
    expect(() => decode({ [field]: value })).toThrow(problem);
  });

  test('when an element of a repeated field is wrong, then the error names its index', () => {
    expect(() => decode({ tags: ['a', 1] })).toThrow('tags[1]: expected a string');
  });

  test('when a map value is wrong, then the error names its key', () => {
    expect(() => decode({ scores: { x: 'high' } })).toThrow('scores.x: expected an integer');
  });

  test('when a double is NaN or Infinity as a string, then it is accepted', () => {
    expect(decode({ ratio: 'NaN' }).ratio).toBeNaN();
    expect(decode({ ratio: 'Infinity' }).ratio).toBe(Infinity);
  });

  // Found by test/fuzz/codec.test.ts: the message used to JSON.stringify the value, and a
  // RangeError (stack overflow) escaped as a non-DecodeError — a 500 and a retry storm.
  test.each([
    ['arrays', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'an array'],
    ['objects', `${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}`, 'an object'],
  ])('when an enum field holds %s nested 100k levels deep, then a DecodeError says what it is', (_, nested, described) => {
    const json: unknown = JSON.parse(`{"kind":${nested}}`);
    expect(() => decode(json)).toThrow(DecodeError);
    expect(() => decode(json)).toThrow(`kind: ${described} is not a Kind (one of KIND_UNSPECIFIED, BIG)`);
  });

  test('when an enum field holds an unknown long string, then the error quotes only its start', () => {
    expect(() => decode({ kind: 'x'.repeat(10_000) })).toThrow(`kind: "${'x'.repeat(40)}…" is not a Kind`);
  });
});

describe('toProto3Json', () => {
  test('when values are defaults, then they are left out', () => {
    expect(toProto3Json(sample, { small: 0, count: 0, big_count: '0', tags: undefined, kind: 0 })).toEqual({});
  });

  test('when values are set, then names are lowerCamelCase, enums names, int64 strings, bytes base64', () => {
    const out = toProto3Json(sample, { big_count: 12, kind: 1, blob: Buffer.from('hi'), items: [{ label: 'l' }] });
    expect(out).toEqual({ bigCount: '12', kind: 'BIG', blob: 'aGk=', items: [{ label: 'l' }] });
  });

  test('when an enum number has no name, then the number is kept', () => {
    expect(toProto3Json(sample, { kind: 9 })).toEqual({ kind: 9 });
  });
});
