/**
 * `npm start`: the whole pipeline on this machine until Ctrl-C — MariaDB (checked,
 * database created and migrated), the official Pub/Sub emulator with the topics and
 * subscriptions Terraform creates (settings from terraform/variables.tf), the push
 * bridge, the notifier, a mail catcher with a web UI, the BigQuery stand-in (failures and
 * lifecycle events), and the provider sandbox every channel the environment does not
 * configure is pointed at. The sandbox and the mail side call the notifier back as Twilio and
 * SendGrid do (PUBLIC_URL: the notifier's own port; the mail side signs with a key pair made
 * here, whose public half the notifier verifies with).
 */
import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { ConfigError, LocalConfig, loadLocalConfig, LOCAL_PROVIDER_CREDENTIALS } from '../config';
import { localCallbackDefaults } from '../config/local';
import { SENDGRID_PATH } from '../channels/email/sendgrid-events';
import { TWILIO_INBOUND_PATH } from '../channels/sms/twilio-webhooks';
import { SIMULATE_INBOUND_PATH } from '../channels/sms/sandbox-callbacks';
import { migrate } from '../mysql/migrate';
import { outcomeLogger } from './outcome-lines';
import { EVENTS_TABLE } from '../events/table';
import { readDeliverySettings } from './delivery-settings';
import { emulatorAnswers, startEmulator } from './emulator';
import { startMailCatcher } from './mail-catcher';
import { startPipeline } from './pipeline';
import { ProviderSandbox, startProviderSandbox } from './provider-sandbox';
import { loadTemplatePreview, PageHandler, TEMPLATE_PREVIEW_PATH } from './template-preview';
import { SANDBOXED_MODULES } from '../channels/registry';
import type { SandboxChannel } from '../channels/sandbox-http';
import { topologyNames } from './topology';

const say = (text: string) => process.stdout.write(`[local] ${text}\n`);
type Closer = () => Promise<void>;

async function migrateOrExplain(url: string): Promise<void> {
  try {
    const applied = await migrate(url);
    say(`MariaDB ready at ${new URL(url).host} (${applied.length ? `applied ${applied.join(', ')}` : 'schema up to date'})`);
  } catch (err) {
    throw new Error(
      `MariaDB/MySQL is not reachable at ${url} (${(err as Error).message}). Start it, e.g. ` +
        '`start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd`, or set MYSQL_URL.',
    );
  }
}

/**
 * The provider sandbox, started before the slow parts so a taken port fails at once. When it
 * serves PUSH, the FCM channel's application default credentials must find its metadata
 * server: GCE_METADATA_HOST points google-auth-library there, and METADATA_SERVER_DETECTION
 * (`none` from the npm script, which spares the Pub/Sub clients a probe) must say the server
 * is there. The Pub/Sub clients are unaffected: in emulator mode they use no credentials.
 */
async function startSandbox(local: LocalConfig, pages: PageHandler): Promise<ProviderSandbox> {
  const { providerSandbox: wanted, config, callbacks } = local;
  // The local number's incoming-message webhook: the notifier's, so a simulated STOP reaches it.
  const twilioInboundWebhookUrl = callbacks.publicUrl ? `${callbacks.publicUrl}${TWILIO_INBOUND_PATH}` : '';
  const credentials = { ...LOCAL_PROVIDER_CREDENTIALS, twilioInboundWebhookUrl };
  // The mail catcher starts later, on the port the config names: the inbox can link its UI already.
  const mailUiUrl = local.mailCatcher && `http://127.0.0.1:${local.mailCatcher.uiPort}`;
  const sandbox = await startProviderSandbox({ port: wanted.port, credentials, webhookSigningSecret: config.channels.webhook?.signingSecret, say, pages, mailUiUrl });
  if (wanted.channels.includes('PUSH')) {
    process.env.GCE_METADATA_HOST = sandbox.metadataHost;
    process.env.METADATA_SERVER_DETECTION = 'assume-present';
  }
  const own = SANDBOXED_MODULES.map((m) => m.message.name).filter((c) => !wanted.channels.includes(c as SandboxChannel));
  say(
    `provider sandbox at ${sandbox.url} for ${wanted.channels.join(', ') || 'no channel'}` +
      `${own.length ? ` (${own.join(', ')}: your own settings)` : ''}; webhook receiver ${sandbox.webhookReceiverUrl}`,
  );
  if (wanted.channels.includes('SMS') && callbacks.publicUrl) {
    say(`Twilio status callbacks → ${callbacks.publicUrl}; simulate a STOP reply: curl ${sandbox.url}${SIMULATE_INBOUND_PATH} --data-urlencode From=+819012345678`);
  }
  return sandbox;
}

/** The key pair the local mail side signs SendGrid-style events with; the notifier gets the public half. */
function eventKeys(): { privateKey: KeyObject; publicKeyDer: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, publicKeyDer: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };
}

/** Where the mail side posts its events, when the notifier can verify them: PUBLIC_URL is known and the key is ours. */
function mailEvents(local: LocalConfig, keys: ReturnType<typeof eventKeys>) {
  const { publicUrl, sendgridPublicKey } = local.callbacks;
  if (!publicUrl) return undefined;
  if (sendgridPublicKey !== keys.publicKeyDer) {
    say('SENDGRID_WEBHOOK_PUBLIC_KEY is your own: the local mail side posts no events (it cannot sign them)');
    return undefined;
  }
  return { webhookUrl: `${publicUrl}${SENDGRID_PATH}`, privateKey: keys.privateKey, say };
}

async function main(closers: Closer[]): Promise<void> {
  const settings = await readDeliverySettings();
  const names = topologyNames();
  const keys = eventKeys();
  const local = loadLocalConfig(process.env, {
    MAX_ATTEMPTS: String(settings.notifierMaxAttempts),
    ACK_DEADLINE_SECONDS: String(settings.ackDeadlineSeconds),
    SCHEMA_ENCODING: settings.schemaEncoding,
    EVENTS_TOPIC: names.eventsTopic,
    ...localCallbackDefaults(process.env, keys.publicKeyDer),
  });
  const { config, mailCatcher } = local;
  say(
    `subscription settings from terraform/variables.tf: ack deadline ${settings.ackDeadlineSeconds}s, ` +
      `backoff ${settings.minimumBackoffSeconds}–${settings.maximumBackoffSeconds}s, Pub/Sub dead-letters after ` +
      `${settings.maxDeliveryAttempts} deliveries, the notifier after ${settings.notifierMaxAttempts} attempts`,
  );
  // Loaded before anything starts: a CatalogueError (naming the file) stops npm start at once.
  const preview = loadTemplatePreview(config.templatesDir);
  await migrateOrExplain(config.mysql.url);
  const sandbox = await startSandbox(local, preview.handler);
  closers.unshift(() => sandbox.close());
  const versions = preview.catalogue.list().length;
  say(`template preview at ${sandbox.url}${TEMPLATE_PREVIEW_PATH} (${versions} template version${versions === 1 ? '' : 's'} in ${preview.catalogue.dir})`);

  const host = config.pubsub.emulatorHost!;
  if (await emulatorAnswers(host)) {
    say(`using the Pub/Sub emulator already running at ${host}`);
  } else {
    say(`starting the Pub/Sub emulator at ${host} …`);
    const emulator = await startEmulator({ port: Number(host.split(':')[1] ?? 8085) });
    closers.push(() => emulator.stop());
  }

  let mailUi = `(your SMTP server at ${config.smtp.url})`;
  if (mailCatcher) {
    const events = mailEvents(local, keys);
    const catcher = await startMailCatcher({ ...mailCatcher, ...(events && { events }) });
    closers.unshift(() => catcher.stop());
    mailUi = catcher.uiUrl;
    say(`mail catcher: SMTP ${catcher.smtpUrl}, web UI ${catcher.uiUrl}${events ? `; SendGrid-style events → ${events.webhookUrl}` : ''}`);
  }

  const log = outcomeLogger(say, { level: config.logLevel, maxAttempts: settings.notifierMaxAttempts });
  const pipeline = await startPipeline({ config, settings, names, say, log });
  closers.unshift(() => pipeline.stop());
  say(
    `topics ${names.topic}, ${names.deadLetterTopic}, ${names.poisonTopic}, ${names.eventsTopic} ` +
      `(project ${config.pubsub.projectId}); push bridge → notifier`,
  );
  say('failed notifications land in MySQL tables dead_letters and poison_messages (the BigQuery stand-in)');
  say(`lifecycle events land in MySQL table ${EVENTS_TABLE}; docs/analysts.md "Lifecycle events" has the funnel query`);
  say(`ready: notifier http://127.0.0.1:${pipeline.notifier.port} · mail ${mailUi} · inbox ${sandbox.url} · templates ${sandbox.url}${TEMPLATE_PREVIEW_PATH} · Ctrl-C stops`);
  say('try: npm run notifier -- publish --local --type demo.hello --to you@example.com --subject Hello --text "It works"');
}

const closers: Closer[] = [];
let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping …');
  for (const close of closers) await close().catch((err: Error) => say(`while stopping: ${err.message}`));
  say('stopped');
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));

main(closers).catch((err: Error) => {
  process.stderr.write(`[local] ${err instanceof ConfigError ? 'configuration error: ' : ''}${err.message}\n`);
  void stop(1);
});
