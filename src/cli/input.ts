import { open, readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { CliError } from './errors';

/** `-` on the command line means standard input. */
export const STDIN = '-';

function unreadable(path: string, err: unknown): CliError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
  return new CliError(`cannot read ${path}: ${reason}`);
}

function requireStdin(stdin: Readable | undefined, flag: string): Readable {
  if (!stdin) throw new CliError(`--${flag} -: no standard input to read`);
  return stdin;
}

/** The whole of a small file (a notification, a template), or of stdin for `-`. */
export async function readText(path: string, stdin: Readable | undefined, flag: string): Promise<string> {
  if (path === STDIN) {
    const chunks: Buffer[] = [];
    for await (const chunk of requireStdin(stdin, flag)) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw unreadable(path, err);
  }
}

/**
 * A stream over a file of any size, or stdin for `-`. The file is opened here so that a
 * missing file is reported before anything starts, not as a stream error mid-way.
 */
export async function openStream(path: string, stdin: Readable | undefined, flag: string): Promise<Readable> {
  if (path === STDIN) return requireStdin(stdin, flag);
  try {
    const handle = await open(path, 'r');
    return handle.createReadStream();
  } catch (err) {
    throw unreadable(path, err);
  }
}
