/**
 * Debian's chromium driven by playwright-core, which downloads no browser of its own. A
 * browser test that cannot find it fails saying how to install it: it never passes unrun.
 */
import { existsSync } from 'node:fs';
import { Browser, chromium, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Launches headless chromium; throws naming `apt-get install chromium` when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: this test drives Debian's chromium in a real browser. Install it: apt-get install chromium (.ci/run does so)`);
  }
  // --no-sandbox: the tests run as root in a container, where chromium's own sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/** A page that records what would betray a script or a stray tag, and reaches no server but `base`. */
export interface GuardedPage {
  page: Page;
  /** Dialogs the page opened (alert, confirm…): a script that ran would show here. */
  dialogs: string[];
  /** Paths the page asked of `base`: an `<img src=x>` from hostile text, had it become a tag, would ask for /x. */
  requested: string[];
}

/** A new page of `browser` that runs offline: requests beyond `base` (an email's web fonts, say) are refused. */
export async function guardedPage(browser: Browser, base: string): Promise<GuardedPage> {
  const page = await browser.newPage();
  const dialogs: string[] = [];
  const requested: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (!url.startsWith(base)) return route.abort();
    requested.push(new URL(url).pathname);
    return route.continue();
  });
  return { page, dialogs, requested };
}
