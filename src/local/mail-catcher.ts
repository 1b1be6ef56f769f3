import { spawn } from 'node:child_process';

export interface MailCatcher {
  smtpUrl: string;
  /** The web UI, and its REST API at `/email`. */
  uiUrl: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

/**
 * MailDev (SMTP + web UI) as a child process. A child, not a library: MailDev installs
 * its own SIGINT handler that exits the process, which would cut our shutdown short.
 */
export async function startMailCatcher(opts: { smtpPort: number; uiPort: number; timeoutMs?: number }): Promise<MailCatcher> {
  const uiUrl = `http://127.0.0.1:${opts.uiPort}`;
  if (await answers(`${uiUrl}/healthz`)) throw new Error(`something already answers on ${uiUrl}; stop it or set LOCAL_MAIL_UI_PORT`);
  const args = ['--smtp', String(opts.smtpPort), '--web', String(opts.uiPort), '--ip', '127.0.0.1', '--silent'];
  const child = spawn(process.execPath, [require.resolve('maildev/bin/maildev'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-2000)));
  child.stderr.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-2000)));
  const deadline = Date.now() + (opts.timeoutMs ?? 20000);
  while (!(await answers(`${uiUrl}/healthz`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the mail catcher (MailDev) did not start on SMTP ${opts.smtpPort} / web ${opts.uiPort}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    smtpUrl: `smtp://127.0.0.1:${opts.smtpPort}`,
    uiUrl,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
