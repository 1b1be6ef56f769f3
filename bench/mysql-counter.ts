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

/** Feeds on one connection's client→server bytes, in order, across chunk boundaries. */
export function makePacketCounter(counts: CommandCounts) {
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

export interface CountingProxy {
  port: number;
  counts: CommandCounts;
  close(): Promise<void>;
}

/** A loopback TCP proxy in front of MySQL that counts what its clients send. */
export async function startCountingProxy(targetHost: string, targetPort: number): Promise<CountingProxy> {
  const counts: CommandCounts = {};
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    const count = makePacketCounter(counts);
    client.on('data', (chunk: Buffer) => count(chunk));
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    counts,
    async close() {
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
