/**
 * Debian's chromium driven by playwright-core, which downloads no browser of its own. A
 * browser test that cannot find it fails saying how to install it: it never passes unrun.
 */
import { existsSync } from 'node:fs';
import { Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Launches headless chromium; throws naming `apt-get install chromium` when it is missing. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: this test drives Debian's chromium in a real browser. Install it: apt-get install chromium (.ci/run does so)`);
  }
  // --no-sandbox: the tests run as root in a container, where chromium's own sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}
