import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { CHANNELS } from '../../../src/codec/notification';
import { notificationType } from '../../../src/codec/schema';
import { PROTO_FILE } from '../../../src/paths';

function typesIn(ns: protobuf.NamespaceBase): protobuf.Type[] {
  return ns.nestedArray.flatMap((child) => [
    ...(child instanceof protobuf.Type ? [child] : []),
    ...(child instanceof protobuf.Namespace ? typesIn(child) : []),
  ]);
}

describe('notification.proto', () => {
  const parsed = protobuf.parse(readFileSync(PROTO_FILE, 'utf8'), { keepCase: true });

  test('when loaded, then notificationType() is notifier.v1.Notification', () => {
    expect(notificationType().fullName).toBe('.notifier.v1.Notification');
  });

  test('when CHANNELS is compared with the proto Channel enum, then they match exactly', () => {
    expect(notificationType().lookupEnum('Channel').values).toEqual(CHANNELS);
  });

  test('when parsed, then it has no imports', () => {
    expect(parsed.imports ?? []).toEqual([]);
    expect(parsed.weakImports ?? []).toEqual([]);
  });

  test('when parsed, then it is proto3 in package notifier.v1', () => {
    expect(readFileSync(PROTO_FILE, 'utf8')).toMatch(/^syntax = "proto3";$/m);
    expect(parsed.package).toBe('notifier.v1');
  });

  test('when parsed, then it has exactly one top-level message and every other type nested inside it', () => {
    const topLevel = typesIn(parsed.root).filter((t) => !(t.parent instanceof protobuf.Type));
    expect(topLevel.map((t) => t.fullName)).toEqual(['.notifier.v1.Notification']);
  });

  test('when every message is inspected recursively, then none has a oneof', () => {
    const types = typesIn(parsed.root);
    expect(types.length).toBeGreaterThan(1);
    for (const type of types) {
      expect(type.oneofsArray).toEqual([]);
      expect(type.fieldsArray.filter((f) => f.partOf)).toEqual([]);
    }
  });

  test.each([
    ['notification_id', 1, 'string'],
    ['account_id', 2, 'string'],
    ['type', 3, 'string'],
    ['channel', 4, 'Channel'],
    ['created_at_micros', 7, 'int64'],
    ['expires_at_micros', 8, 'int64'],
    ['email', 10, 'Email'],
  ])('when the contract field %s is looked up, then it has number %i and type %s', (name, id, type) => {
    expect(notificationType().fields[name]).toMatchObject({ id, type });
  });

  test('when the Email message is looked up, then it has to, subject, text, html as 1..4', () => {
    const email = notificationType().lookupType('Email');
    expect(email.fieldsArray.map((f) => [f.name, f.id, f.type])).toEqual([
      ['to', 1, 'string'],
      ['subject', 2, 'string'],
      ['text', 3, 'string'],
      ['html', 4, 'string'],
    ]);
  });
});
