import { ChannelName, Notification } from '../codec/notification';
import { describeProblems, validateNotification } from '../codec/validate';
import { MESSAGES } from '../channels/messages';
import type { Catalogue } from '../templates';
import { TemplateError } from '../templates';
import { checkData, describeDataProblems } from '../templates/variables';
import { PermanentError } from './failures';
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

/** The data of a template version, checked against the variables it declares; PermanentError naming the variable. */
export function checkTemplateData(templates: Templates | undefined, n: Notification): { version: number } {
  const t = n.template!;
  if (!templates) throw notFound('no template catalogue is loaded');
  const info = templates.describe(t.id, t.version);
  if (!info) throw notFound(`template ${t.id}${t.version ? `@${t.version}` : ''} is not in the catalogue`);
  const problems = checkData(info.variables, JSON.parse(t.dataJson));
  if (problems.length) throw new PermanentError('TEMPLATE_DATA_INVALID', `template ${t.id}@${info.version}: ${describeDataProblems(problems)}`);
  return { version: info.version };
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
    const rendered = asPermanent(() => templates.render({ id: t.id, version: t.version, channel, locales, timeZone: account?.timeZone, data: JSON.parse(t.dataJson) }));
    parts = rendered.parts;
    ref = `${rendered.id}@${rendered.version}/${rendered.locale}/${rendered.digest}`;
  }
  const rendered: Notification = { ...rest, [message.field]: { ...payload, ...parts } };
  const problems = validateNotification(rendered);
  if (problems.length) throw new PermanentError(problems[0]!.code, `rendered from ${ref}: ${describeProblems(problems)}`);
  return { n: rendered, template: ref };
}

function asPermanent<T>(render: () => T): T {
  try {
    return render();
  } catch (err) {
    if (err instanceof TemplateError) throw new PermanentError(err.code, err.message, { cause: err });
    throw err;
  }
}

/**
 * A routed templated notification, checked once for all its contacts, with the version
 * pinned (a deploy between two contacts' deliveries must not give them different wordings),
 * and the channels the template renders for (a webhook gets the data on any).
 */
export function pinTemplate(templates: Templates | undefined, n: Notification): { n: Notification; renders: (channel: ChannelName) => boolean } {
  const { version } = checkTemplateData(templates, n);
  const channels = new Set<string>(templates!.describe(n.template!.id, version)!.channels.map((c) => c.channel));
  return { n: { ...n, template: { ...n.template!, version } }, renders: (channel) => channel === 'WEBHOOK' || channels.has(channel) };
}
