import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import { createLogger } from '../../../src/logging';
import { noAuthentication } from '../../../src/http/auth';
import { createSettingsRouter, SettingsStore } from '../../../src/http/settings';
import { documentCounts } from '../../../src/http/settings-audit';
import type { SettingsDocument } from '../../../src/settings/document';

const DOCUMENT: SettingsDocument = {
  timeZone: 'Asia/Tokyo',
  quietHours: { start: '22:00', end: '07:00' },
  contacts: { EMAIL: ['a@example.com', 'b@example.com'], SLACK: ['#alerts'] },
  preferences: [{ type: 'marketing.*', channel: '*', enabled: false }],
};

describe('documentCounts', () => {
  test('when a document is counted, then contacts per channel, rules and whether quiet hours are set, and no value', () => {
    const counts = documentCounts(DOCUMENT);
    expect(counts).toEqual({ contacts: { EMAIL: 2, SLACK: 1 }, preferences: 1, quietHours: true });
    for (const value of ['a@example.com', '#alerts', 'marketing', 'Asia/Tokyo', '22:00']) expect(JSON.stringify(counts)).not.toContain(value);
  });

  test('when a document has no contacts, rules or quiet hours, then the counts say so', () => {
    expect(documentCounts({ contacts: {}, preferences: [] })).toEqual({ contacts: {}, preferences: 0, quietHours: false });
  });
});

describe('audit line when the caller has gone', () => {
  let server: Server;
  const lines: Record<string, unknown>[] = [];
  let storeCalled: () => void;
  let answerStore: () => void;
  const called = new Promise<void>((r) => (storeCalled = r));
  const answered = new Promise<void>((r) => (answerStore = r));
  /** replace() waits for the test: the caller disconnects while the change is in flight. */
  const store: SettingsStore = {
    get: async () => undefined,
    replace: async (_id, document) => {
      storeCalled();
      await answered;
      return { document, updatedAt: new Date() };
    },
    erase: async () => ({ erased: true, heldRemoved: 0 }),
  };

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (b: Buffer) => b.toString().split('\n').filter(Boolean).forEach((l) => lines.push(JSON.parse(l))));
    const app = express().use(createSettingsRouter({ store, authenticator: noAuthentication, log: createLogger('info', stream) }));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const connections = () => new Promise<number>((r, j) => server.getConnections((err, n) => (err ? j(err) : r(n))));

  test('when the caller disconnects before the store answers, then the change is still audited once, with its outcome', async () => {
    const req = request({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, method: 'PUT', path: '/v1/accounts/acct-gone/settings' });
    req.on('error', () => undefined);
    req.end(JSON.stringify(DOCUMENT));
    await called;
    req.destroy();
    while ((await connections()) > 0) await new Promise((r) => setImmediate(r));
    answerStore();
    while (!lines.some((l) => l.message === 'settings audit')) await new Promise((r) => setImmediate(r));
    expect(lines.filter((l) => l.message === 'settings audit')).toEqual([
      expect.objectContaining({ action: 'settings.replace', caller: 'unauthenticated', accountId: 'acct-gone', status: 200, contacts: { EMAIL: 2, SLACK: 1 } }),
    ]);
  });
});
