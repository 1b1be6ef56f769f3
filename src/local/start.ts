/**
 * `npm start`: the notifier with everything it needs on this machine — MariaDB
 * (checked, database created and migrated), the official Pub/Sub emulator with the
 * topics, a local SMTP server that prints what it receives — until Ctrl-C.
 */
import { Message, PubSub } from '@google-cloud/pubsub';
import { ConfigError, loadLocalConfig } from '../config';
import { migrate } from '../ledger/migrate';
import { maskEmail } from '../logging';
import { startNotifier } from '../main';
import { emulatorAnswers, RunningEmulator, startEmulator } from './emulator';
import { startSmtpSink } from './smtp-sink';

const say = (text: string) => process.stdout.write(`[local] ${text}\n`);

async function ensureTopic(pubsub: PubSub, name: string): Promise<void> {
  const topic = pubsub.topic(name);
  const [exists] = await topic.exists();
  if (!exists) await topic.create();
}

/** Prints every failure record arriving on a topic, so a developer sees dead-letters happen. */
async function tail(pubsub: PubSub, topicName: string): Promise<() => Promise<void>> {
  const sub = pubsub.topic(topicName).subscription(`${topicName}-local-tail`);
  const [exists] = await sub.exists();
  if (!exists) await sub.create();
  sub.on('message', (m: Message) => {
    const a = m.attributes;
    say(`${topicName}: ${a.notifier_failure_code} (${a.notifier_channel || '-'}) ${a.notifier_error} [message ${a.notifier_source_message_id}]`);
    m.ack();
  });
  return () => sub.close();
}

async function main(): Promise<void> {
  const { config, localSmtp } = loadLocalConfig();
  const closers: (() => Promise<void>)[] = [];

  try {
    const applied = await migrate(config.mysql.url);
    say(`MariaDB ready at ${new URL(config.mysql.url).host} (${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'})`);
  } catch (err) {
    throw new Error(
      `MariaDB/MySQL is not reachable at ${config.mysql.url} (${(err as Error).message}). Start it, e.g. ` +
        '`start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`, or set MYSQL_URL.',
    );
  }

  const host = config.pubsub.emulatorHost!;
  let emulator: RunningEmulator | undefined;
  if (await emulatorAnswers(host)) {
    say(`using the Pub/Sub emulator already running at ${host}`);
  } else {
    say(`starting the Pub/Sub emulator at ${host} …`);
    emulator = await startEmulator({ port: Number(host.split(':')[1] ?? 8085) });
    closers.push(() => emulator!.stop());
  }
  const pubsub = new PubSub({ projectId: config.pubsub.projectId, apiEndpoint: host, emulatorMode: true });
  for (const t of ['notifications', config.pubsub.deadLetterTopic, config.pubsub.poisonTopic!]) await ensureTopic(pubsub, t);
  closers.unshift(await tail(pubsub, config.pubsub.deadLetterTopic), await tail(pubsub, config.pubsub.poisonTopic!));
  closers.push(() => pubsub.close());

  if (localSmtp) {
    const sink = await startSmtpSink(Number(new URL(config.smtp.url).port));
    sink.onData = (mail) => {
      say(`mail received for ${mail.to.map(maskEmail).join(', ')} (notification ${mail.notificationId ?? '?'})`);
      return { kind: 'accept' };
    };
    closers.unshift(() => sink.close());
    say(`local SMTP server at ${config.smtp.url}`);
  }

  const notifier = await startNotifier(config);
  closers.unshift(() => notifier.stop());
  say(`notifier listening on http://127.0.0.1:${notifier.port} (POST /pubsub/push, GET /healthz, GET /readyz)`);
  say('Ctrl-C stops everything');

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('stopping …');
    for (const close of closers) await close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`[local] ${err instanceof ConfigError ? 'configuration error: ' : ''}${err.message}\n`);
  process.exit(1);
});
