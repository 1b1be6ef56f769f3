import net from 'node:net';

/**
 * Counts the commands a MySQL client sends, from the bytes it writes. Every client packet
 * is `3-byte length LE, 1-byte sequence id, payload`; a command always opens a new
 * exchange with sequence id 0 and names itself in the first payload byte. The handshake
 * and auth packets carry sequence ids ≥ 1, so they are not counted.
 */
export const COMMAND_NAMES: Readonly<Record<number, string>> = {
  0x01: 'quit',
  0x02: 'init_db',
  0x03: 'query',
  0x0e: 'ping',
  0x16: 'stmt_prepare',
  0x17: 'stmt_execute',
  0x19: 'stmt_close',
  0x1f: 'reset_connection',
};

export type CommandCounts = Record<string, number>;

/** Feeds on one connection's client→server bytes, in order, across chunk boundaries; `onCommand` sees each command's payload. */
export function makePacketCounter(counts: CommandCounts, onCommand?: (payload: Buffer) => void) {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk: Buffer) => {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    while (pending.length - at >= 5) {
      const length = pending.readUIntLE(at, 3);
      if (pending.length - at < 4 + length) break;
      const sequence = pending[at + 3]!;
      if (sequence === 0 && length > 0) {
        const name = COMMAND_NAMES[pending[at + 4]!] ?? `other_${pending[at + 4]!}`;
        counts[name] = (counts[name] ?? 0) + 1;
        onCommand?.(pending.subarray(at + 4, at + 4 + length));
      }
      at += 4 + length;
    }
    pending = pending.subarray(at);
  };
}

/** Round trips: every command except COM_QUIT and COM_STMT_CLOSE, which get no reply. */
export function roundTrips(counts: CommandCounts): number {
  return Object.entries(counts)
    .filter(([name]) => name !== 'quit' && name !== 'stmt_close')
    .reduce((sum, [, n]) => sum + n, 0);
}

/**
 * How long the clients of one proxy held named locks: from sending the text that takes one
 * (`GET_LOCK(`) until the first reply byte of the text that releases it (`RELEASE_LOCK(`),
 * summed over connections; and how long the taking round trips took (lock wait included).
 */
export interface LockTimes {
  heldMs: number;
  acquireMs: number;
  acquired: number;
}

export const noLockTimes = (): LockTimes => ({ heldMs: 0, acquireMs: 0, acquired: 0 });

/**
 * One connection's lock clock. A MySQL connection runs one command at a time, so the first
 * server bytes after a command are its reply.
 */
export function makeLockClock(times: LockTimes, now: () => number = () => performance.now()) {
  let sentAt: number | undefined;
  let kind: 'take' | 'release' | undefined;
  let takenAt: number | undefined;
  return {
    command(payload: Buffer) {
      const text = payload[0] === 0x03 ? payload.toString('latin1', 1, Math.min(payload.length, 8192)).toUpperCase() : '';
      kind = text.includes('GET_LOCK(') ? 'take' : text.includes('RELEASE_LOCK(') ? 'release' : undefined;
      sentAt = now();
    },
    reply() {
      if (sentAt === undefined) return;
      const at = now();
      if (kind === 'take') {
        times.acquireMs += at - sentAt;
        times.acquired += 1;
        takenAt = sentAt;
      } else if (kind === 'release' && takenAt !== undefined) {
        times.heldMs += at - takenAt;
        takenAt = undefined;
      }
      sentAt = undefined;
    },
  };
}

export interface CountingProxy {
  port: number;
  counts: CommandCounts;
  locks: LockTimes;
  close(): Promise<void>;
}

/** A loopback TCP proxy in front of MySQL that counts what its clients send and times their locks. */
export async function startCountingProxy(targetHost: string, targetPort: number): Promise<CountingProxy> {
  const counts: CommandCounts = {};
  const locks = noLockTimes();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    const clock = makeLockClock(locks);
    const count = makePacketCounter(counts, clock.command);
    client.on('data', (chunk: Buffer) => count(chunk));
    upstream.on('data', clock.reply);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    counts,
    locks,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
