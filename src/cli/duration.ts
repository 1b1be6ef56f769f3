import { CliError } from './errors';

const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
};

/**
 * `30s`, `30m`, `2h`, `1d` → milliseconds. One number and one unit: enough for an expiry
 * typed by hand, and nothing to misread. `flag` names the flag in the error.
 */
export function parseDuration(text: string, flag = 'duration'): number {
  const match = /^\s*(\d+)\s*([smhd])\s*$/i.exec(text);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2].toLowerCase()] : NaN;
  if (!(ms > 0)) throw new CliError(`--${flag}: "${text}" is not a duration like 30m, 2h or 1d`);
  return ms;
}

/** Elapsed or remaining time for people: `0:07`, `12:34`, `1:02:03`. */
export function formatClock(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor(total / 60) % 60, total % 60];
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
}
