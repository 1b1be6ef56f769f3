import { execFileSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** Runs a script in a fresh Node process at the package root (the build is made by the global setup). */
const node = (script: string) => execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });

describe('the producer client as a package export', () => {
  test('when a producer requires notifier/client, then it gets the client without loading any server module', () => {
    const out = node(`
      const client = require('notifier/client');
      const server = /node_modules\\/(express|mysql2|nodemailer|winston)\\/|dist\\/(main|http|mysql|pubsub|delivery|local)\\b|dist\\/channels\\/(?!messages\\.js|message-kit\\.js|\\w+\\/message\\.js)/;
      const loaded = Object.keys(require.cache).filter((f) => server.test(f));
      console.log(JSON.stringify({ exports: Object.keys(client).sort(), loaded }));
    `);
    expect(JSON.parse(out)).toEqual({
      exports: ['BroadcastError', 'InvalidNotificationError', 'broadcastNotificationId', 'createNotifierClient', 'publishAttributes'],
      loaded: [],
    });
  });

  test('when the export map is resolved, then the client has its type declarations next to it', () => {
    const pkg = require(path.join(ROOT, 'package.json')) as { exports: Record<string, { types: string; default: string }> };
    const entry = pkg.exports['./client']!;
    expect(node(`console.log(require.resolve('notifier/client'))`).trim()).toBe(path.join(ROOT, entry.default));
    expect(node(`console.log(require('fs').existsSync(${JSON.stringify(path.join(ROOT, entry.types))}))`).trim()).toBe('true');
  });
});
