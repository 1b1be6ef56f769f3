import { batchWindows, owner, profilePid } from '../../../bench/profile-summary';
import type { BatchWindow } from '../../../bench/rounds';

describe('owner', () => {
  test('when a frame is in node_modules, then it is charged to the package, scoped ones included', () => {
    expect(owner('file:///app/node_modules/mysql2/lib/packets/packet.js')).toBe('mysql2');
    expect(owner('file:///app/node_modules/@google-cloud/pubsub/build/src/topic.js')).toBe('@google-cloud/pubsub');
  });

  test('when a frame is ours, then it is charged to its module, from dist/ or dist-bench/', () => {
    expect(owner('file:///app/dist/mysql/ledger.js')).toBe('mysql/ledger');
    expect(owner('file:///app/dist-bench/src/channels/email/channel.js')).toBe('channels/email/channel');
    expect(owner('node:internal/stream_base_commons')).toBeUndefined();
  });
});

describe('profilePid', () => {
  test('when the file has the name Node gives a profile, then its pid is read from it', () => {
    expect(profilePid('/tmp/prof/CPU.20261207.201503.7868.0.001.cpuprofile')).toBe(7868);
  });

  test('when the file is named otherwise, then there is no pid', () => {
    expect(profilePid('/tmp/prof/notifier.cpuprofile')).toBeUndefined();
  });
});

describe('batchWindows', () => {
  const batch = (pid: number, kind: BatchWindow['kind'], fromUs: number, done: number): BatchWindow => ({
    pid,
    kind,
    round: 1,
    fromUs,
    toUs: fromUs + 1000,
    done,
  });

  test('when batches of several processes and kinds were recorded, then only this process and kind count', () => {
    const batches = [batch(7, 'first', 0, 1000), batch(7, 'dup', 2000, 1000), batch(8, 'first', 0, 900), batch(7, 'first', 5000, 998)];
    expect(batchWindows(batches, 7, 'first')).toEqual({
      windows: [
        { fromUs: 0, toUs: 1000 },
        { fromUs: 5000, toUs: 6000 },
      ],
      done: 1998,
    });
  });
});
