/**
 * Where a child's CPU went, from a `--cpu-prof` file written by `npm run bench -- --profile DIR`:
 *
 *   node dist-bench/bench/profile-summary.js DIR/CPU.….cpuprofile [--from S --to S] [--per N]
 *     [--batches DIR/batches.json --kind first|dup|large|naive|ceiling] [--functions N]
 *
 * Prints a per-second busy timeline (to find a batch's window), then, for the window, CPU
 * per package. Each sample is charged to the nearest frame in userland code (a package in
 * node_modules, or a module of ours), so socket writes and stream machinery count for the
 * library that caused them. `--per N` divides by the deliveries of the window.
 * `--batches` takes the windows from the bench's own record of its measured batches of
 * `--kind` on this profile's process, and divides by their deliveries. `--functions N` adds
 * the N functions with the most self time, each with the package it is charged to.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BatchWindow } from './rounds';

/** The bench's record of its measured batches, written into the profile directory. */
export const BATCHES_FILE = 'batches.json';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber?: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  /** µs of CLOCK_MONOTONIC, the clock of the bench's batch windows. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Absolute µs (CLOCK_MONOTONIC), both ends included. */
type Window = { fromUs: number; toUs: number };

/** `node_modules/mysql2/…` → `mysql2`; `…/dist/mysql/ledger.js` → `mysql/ledger`. */
export function owner(url: string): string | undefined {
  const pkg = /node_modules\/(@[^/]+\/[^/]+|[^/]+)\//.exec(url)?.[1];
  if (pkg) return pkg;
  return /\/dist(?:-bench)?\/(?:src\/)?(.+)\.js$/.exec(url)?.[1];
}

/** `CPU.20261207.201503.7868.0.001.cpuprofile` (Node's naming) → 7868. */
export function profilePid(file: string): number | undefined {
  const pid = /^CPU\.\d+\.\d+\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(path.basename(file))?.[1];
  return pid === undefined ? undefined : Number(pid);
}

/** The batches of `kind` that ran on the process `pid`, as windows, and their deliveries. */
export function batchWindows(batches: readonly BatchWindow[], pid: number | undefined, kind: string): { windows: Window[]; done: number } {
  const mine = batches.filter((b) => b.pid === pid && b.kind === kind);
  return { windows: mine.map(({ fromUs, toUs }) => ({ fromUs, toUs })), done: mine.reduce((sum, b) => sum + b.done, 0) };
}

/** Busy share per second since the profile started: [second, busy 0..1]. */
function timeline(p: Profile, idle: Set<number>): [number, number][] {
  const seconds = new Map<number, { busy: number; all: number }>();
  let t = 0;
  p.samples.forEach((id, i) => {
    t += p.timeDeltas[i]!;
    const s = Math.floor(t / 1e6);
    const b = seconds.get(s) ?? { busy: 0, all: 0 };
    b.all += p.timeDeltas[i]!;
    if (!idle.has(id)) b.busy += p.timeDeltas[i]!;
    seconds.set(s, b);
  });
  return [...seconds].map(([s, b]) => [s, b.busy / b.all]);
}

const add = (m: Map<string, number>, key: string, us: number) => m.set(key, (m.get(key) ?? 0) + us);

/** `captureStackHolder mysql2/lib/promise/capture_local_err.js:4`, `query mysql/sql.js:19`, `writeBuffer (native)`, `(program)`. */
function functionName(frame: ProfileNode['callFrame']): string {
  if (!frame.url && frame.functionName.startsWith('(')) return frame.functionName;
  const file = frame.url.replace(/^.*\/node_modules\//, '').replace(/^.*\/dist(?:-bench)?\/(?:src\/)?/, '').replace(/^node:/, '');
  return `${frame.functionName || '(anonymous)'} ${file ? `${file}:${(frame.lineNumber ?? 0) + 1}` : '(native)'}`;
}

/**
 * The busy samples inside the windows, charged twice: to their owner (the nearest userland
 * frame's package or module), and to their leaf function (self time).
 */
function charge(p: Profile, windows: readonly Window[]): { owners: Map<string, number>; functions: Map<string, number> } {
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let t = p.startTime;
  p.samples.forEach((id, i) => {
    t += p.timeDeltas[i]!;
    const leaf = nodes.get(id)!.callFrame;
    if (leaf.functionName === '(idle)' || !windows.some((w) => t >= w.fromUs && t <= w.toUs)) return;
    let who: string | undefined;
    for (let cur: number | undefined = id; cur !== undefined && !who; cur = parent.get(cur)) who = owner(nodes.get(cur)!.callFrame.url);
    who ??= leaf.functionName.startsWith('(') ? leaf.functionName : 'node (no userland caller)';
    add(owners, who, p.timeDeltas[i]!);
    const self = functionName(leaf);
    add(functions, (owner(leaf.url) ?? leaf.functionName) === who ? self : `${self} ← ${who}`, p.timeDeltas[i]!);
  });
  return { owners, functions };
}

/** `share% [ms per delivery]  key`, largest first. */
function table(charged: Map<string, number>, total: number, per: number, top: number): string[] {
  return [...charged]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%${per ? ` ${(us / 1000 / per).toFixed(3)} ms` : ''}  ${key}`);
}

function main(argv: string[]): void {
  const [file, ...rest] = argv;
  if (!file) throw new Error('usage: profile-summary FILE.cpuprofile [--from S] [--to S] [--per N] [--batches FILE --kind K] [--functions N]');
  const value = (name: string) => {
    const at = rest.indexOf(name);
    return at >= 0 ? rest[at + 1] : undefined;
  };
  const flag = (name: string, fallback: number) => Number(value(name) ?? fallback);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const out = [`busy per second: ${timeline(p, idle).map(([s, busy]) => `${s}:${Math.round(busy * 100)}%`).join(' ')}`];

  const batchesFile = value('--batches');
  let windows: Window[] = [{ fromUs: p.startTime + flag('--from', 0) * 1e6, toUs: p.startTime + flag('--to', Infinity) * 1e6 }];
  let per = flag('--per', 0);
  if (batchesFile) {
    const kind = value('--kind') ?? 'first';
    const batches = batchWindows(JSON.parse(readFileSync(batchesFile, 'utf8')) as BatchWindow[], profilePid(file), kind);
    if (batches.windows.length === 0) throw new Error(`no ${kind} batches of pid ${profilePid(file)} in ${batchesFile}`);
    windows = batches.windows;
    per ||= batches.done;
    const seconds = windows.reduce((sum, w) => sum + (w.toUs - w.fromUs), 0) / 1e6;
    out.push(`${kind}: ${windows.length} batches, ${batches.done} deliveries in ${seconds.toFixed(2)} s`);
  }
  const { owners, functions } = charge(p, windows);
  const total = [...owners.values()].reduce((a, b) => a + b, 0);
  out.push(`busy ${(total / 1000).toFixed(0)} ms${per ? `, ${(total / 1000 / per).toFixed(3)} ms per delivery` : ''}`);
  out.push(...table(owners, total, per, 25));
  const top = flag('--functions', 0);
  if (top > 0) out.push(`top ${top} functions by self time (← where the sample is charged):`, ...table(functions, total, per, top));
  process.stdout.write(`${out.join('\n')}\n`);
}

if (require.main === module) main(process.argv.slice(2));
