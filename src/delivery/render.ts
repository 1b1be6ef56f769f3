import { ChannelName, Notification, TemplateRef } from '../codec/notification';
import { describeProblems, validateNotification } from '../codec/validate';
import { MESSAGES } from '../channels/messages';
import { Catalogue, TemplateError, TemplateVersionInfo } from '../templates';
import { checkData, describeDataProblems } from '../templates/variables';
import { PermanentError, TransientError } from './failures';
import type { AccountPolicy } from './ports';

/** What the delivery path needs of the template catalogue (templates/index.ts). */
export type Templates = Pick<Catalogue, 'describe' | 'render'>;

/** A notification as its channel sends it, and which rendering that is (ledger column `template`). */
export interface Rendering {
  n: Notification;
  /** `id@version/locale/digest`; for a webhook, which gets the data itself, `id@version`. */
  template?: string;
}

const notFound = (message: string) => new PermanentError('TEMPLATE_NOT_FOUND', message);

/**
 * Why `t` cannot be found: a version above this revision's latest is a deploy still rolling
 * out (a producer, or another revision's fan-out, is ahead of this instance), and a later
 * delivery may reach a revision that has it: transient. Anything else is permanent.
 */
function missing(templates: Templates, t: TemplateRef, message: string): PermanentError | TransientError {
  const latest = templates.describe(t.id);
  if (latest && t.version > latest.version) {
    return new TransientError('TEMPLATE_NOT_DEPLOYED', `template ${t.id}@${t.version} is not deployed here yet (latest ${latest.version})`);
  }
  return notFound(message);
}

/** The data of a template version, checked against the variables it declares; PermanentError naming the variable. */
export function checkTemplateData(templates: Templates | undefined, n: Notification): TemplateVersionInfo {
  const t = n.template!;
  if (!templates) throw notFound('no template catalogue is loaded');
  const info = templates.describe(t.id, t.version);
  if (!info) throw missing(templates, t, `template ${t.id}${t.version ? `@${t.version}` : ''} is not in the catalogue`);
  const problems = checkData(info.variables, JSON.parse(t.dataJson));
  if (problems.length) throw new PermanentError('TEMPLATE_DATA_INVALID', `template ${t.id}@${info.version}: ${describeDataProblems(problems)}`);
  return info;
}

/**
 * What can be known of a templated notification without rendering it: the template, its data,
 * and a rendering for the channel (a webhook takes any). Checked when a notification is held,
 * so that bad data fails on its first delivery rather than at its release.
 */
export function checkTemplated(templates: Templates | undefined, n: Notification, channel: ChannelName): void {
  const info = checkTemplateData(templates, n);
  if (channel !== 'WEBHOOK' && !info.channels.some((c) => c.channel === channel)) {
    throw notFound(`template ${info.id}@${info.version} has no ${channel} rendering`);
  }
}

/**
 * A templated notification rendered for `channel` in the account's locale (else the
 * notification's, else the catalogue's default) and time zone; the result is validated as a
 * producer's text would be. An untemplated one is returned as it is. Throws PermanentError:
 * TEMPLATE_NOT_FOUND, TEMPLATE_DATA_INVALID, or the rendered payload's own problem.
 */
export function renderNotification(templates: Templates | undefined, n: Notification, channel: ChannelName, account?: AccountPolicy): Rendering {
  const t = n.template;
  if (!t) return { n };
  const message = MESSAGES.find((m) => m.name === channel);
  if (!message) throw notFound(`channel ${channel} has no templates`);
  const { template: _template, ...rest } = n;
  const payload = n[message.field] as object;
  let parts: object;
  let ref: string;
  if (channel === 'WEBHOOK') {
    // A webhook is read by a program: it gets the data, checked, rather than localised text.
    const { version } = checkTemplateData(templates, n);
    parts = { payloadJson: t.dataJson };
    ref = `${t.id}@${version}`;
  } else {
    if (!templates) throw notFound('no template catalogue is loaded');
    const locales = [account?.locale, n.locale].filter((l): l is string => Boolean(l));
    const rendered = classified(templates, t, () => templates.render({ id: t.id, version: t.version, channel, locales, timeZone: account?.timeZone, data: JSON.parse(t.dataJson) }));
    parts = rendered.parts;
    ref = `${rendered.id}@${rendered.version}/${rendered.locale}/${rendered.digest}`;
  }
  const rendered: Notification = { ...rest, [message.field]: { ...payload, ...parts } };
  const problems = validateNotification(rendered);
  if (problems.length) throw new PermanentError(problems[0]!.code, `rendered from ${ref}: ${describeProblems(problems)}`);
  return { n: rendered, template: ref };
}

/** A TemplateError as the failure it is for the delivery (see `missing`). */
function classified<T>(templates: Templates, t: TemplateRef, render: () => T): T {
  try {
    return render();
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    if (err.code === 'TEMPLATE_NOT_FOUND' && !templates.describe(t.id, t.version)) throw missing(templates, t, err.message);
    throw new PermanentError(err.code, err.message, { cause: err });
  }
}

/**
 * A routed templated notification, checked once for all its contacts, with the version
 * pinned (a deploy between two contacts' deliveries must not give them different wordings),
 * and the channels the template renders for (a webhook gets the data on any).
 */
export function pinTemplate(templates: Templates | undefined, n: Notification): { n: Notification; renders: (channel: ChannelName) => boolean } {
  const info = checkTemplateData(templates, n);
  const channels = new Set<string>(info.channels.map((c) => c.channel));
  return { n: { ...n, template: { ...n.template!, version: info.version } }, renders: (channel) => channel === 'WEBHOOK' || channels.has(channel) };
}
