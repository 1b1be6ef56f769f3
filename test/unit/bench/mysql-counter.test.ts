import { makeLockClock, makePacketCounter, noLockTimes, roundTrips } from '../../../bench/mysql-counter';

/** A client packet: 3-byte little-endian length, sequence id, payload. */
const packet = (sequence: number, payload: Buffer) =>
  Buffer.concat([Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, payload.length >> 16, sequence]), payload]);
const query = (sql: string) => packet(0, Buffer.concat([Buffer.from([0x03]), Buffer.from(sql)]));

describe('makePacketCounter', () => {
  test('when a client logs in and sends two queries, then only the queries count (handshake has sequence 1)', () => {
    const counts = {};
    const feed = makePacketCounter(counts);
    feed(packet(1, Buffer.alloc(40, 0x03)));
    feed(Buffer.concat([query('SELECT 1'), query('DO RELEASE_LOCK(?)')]));
    expect(counts).toEqual({ query: 2 });
  });

  test('when packets arrive split at any byte, then each is still counted once', () => {
    const bytes = Buffer.concat([query('SELECT GET_LOCK(?, 1)'), query('x'.repeat(300)), packet(0, Buffer.from([0x17, 1, 2, 3]))]);
    for (let cut = 1; cut < bytes.length; cut += 7) {
      const counts = {};
      const feed = makePacketCounter(counts);
      feed(bytes.subarray(0, cut));
      feed(bytes.subarray(cut));
      expect(counts).toEqual({ query: 2, stmt_execute: 1 });
    }
  });

  test('when a long query spans 3-byte lengths, then the length is read little-endian', () => {
    const counts = {};
    makePacketCounter(counts)(Buffer.concat([query('y'.repeat(70000)), query('z')]));
    expect(counts).toEqual({ query: 2 });
  });
});

describe('roundTrips', () => {
  test('when commands that get no reply were sent, then they are not round trips', () => {
    expect(roundTrips({ query: 5, stmt_execute: 2, ping: 1, quit: 3, stmt_close: 4 })).toBe(8);
  });
});

describe('makeLockClock', () => {
  const payload = (sql: string) => Buffer.concat([Buffer.from([0x03]), Buffer.from(sql)]);

  test('when a connection takes a lock, works under it and releases it, then held time runs from sending GET_LOCK to the release reply', () => {
    let t = 0;
    const times = noLockTimes();
    const clock = makeLockClock(times, () => t);
    const feed = makePacketCounter({}, clock.command);
    feed(query('SELECT 1 FROM ledger WHERE id = 1'));
    t = 5;
    clock.reply();
    t = 10;
    feed(query('SELECT GET_LOCK(?, 1); SELECT 1'));
    t = 12;
    clock.reply();
    clock.reply();
    t = 20;
    feed(query('INSERT INTO ledger VALUES (1)'));
    t = 25;
    clock.reply();
    feed(query('UPDATE ledger SET s = 1; DO release_lock(?)'));
    t = 31;
    clock.reply();
    expect(times).toEqual({ heldMs: 21, acquireMs: 2, acquired: 1 });
  });

  test('when server bytes arrive without a command (handshake), then nothing is timed', () => {
    const times = noLockTimes();
    const clock = makeLockClock(times, () => 1);
    clock.reply();
    clock.command(payload('DO RELEASE_LOCK(?)'));
    clock.reply();
    expect(times).toEqual(noLockTimes());
  });
});
