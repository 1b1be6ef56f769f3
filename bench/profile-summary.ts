/**
 * Where a child's CPU went, from a `--cpu-prof` file written by `npm run bench -- --profile DIR`:
 *
 *   node dist-bench/bench/profile-summary.js DIR/CPU.….cpuprofile [--from S --to S] [--per N]
 *
 * Prints a per-second busy timeline (to find a batch's window), then, for the window, CPU
 * per package. Each sample is charged to the nearest frame in userland code (a package in
 * node_modules, or a module of ours), so socket writes and stream machinery count for the
 * library that caused them. `--per N` divides by the deliveries of the window.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** `node_modules/mysql2/…` → `mysql2`; `…/dist/mysql/ledger.js` → `mysql/ledger`. */
export function owner(url: string): string | undefined {
  const pkg = /node_modules\/(@[^/]+\/[^/]+|[^/]+)\//.exec(url)?.[1];
  if (pkg) return pkg;
  return /\/dist(?:-bench)?\/(?:src\/)?(.+)\.js$/.exec(url)?.[1];
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

function byOwner(p: Profile, fromUs: number, toUs: number): Map<string, number> {
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const charged = new Map<string, number>();
  let t = 0;
  p.samples.forEach((id, i) => {
    t += p.timeDeltas[i]!;
    const leaf = nodes.get(id)!.callFrame;
    if (t < fromUs || t > toUs || leaf.functionName === '(idle)') return;
    let who: string | undefined;
    for (let cur: number | undefined = id; cur !== undefined && !who; cur = parent.get(cur)) who = owner(nodes.get(cur)!.callFrame.url);
    who ??= leaf.functionName.startsWith('(') ? leaf.functionName : 'node (no userland caller)';
    charged.set(who, (charged.get(who) ?? 0) + p.timeDeltas[i]!);
  });
  return charged;
}

function main(argv: string[]): void {
  const [file, ...rest] = argv;
  if (!file) throw new Error('usage: profile-summary FILE.cpuprofile [--from S] [--to S] [--per N]');
  const flag = (name: string, fallback: number) => {
    const at = rest.indexOf(name);
    return at >= 0 ? Number(rest[at + 1]) : fallback;
  };
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id));
  const out = [`busy per second: ${timeline(p, idle).map(([s, busy]) => `${s}:${Math.round(busy * 100)}%`).join(' ')}`];

  const per = flag('--per', 0);
  const charged = byOwner(p, flag('--from', 0) * 1e6, flag('--to', Infinity) * 1e6);
  const total = [...charged.values()].reduce((a, b) => a + b, 0);
  out.push(`busy ${(total / 1000).toFixed(0)} ms${per ? `, ${(total / 1000 / per).toFixed(3)} ms per delivery` : ''}`);
  for (const [who, us] of [...charged].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    const each = per ? ` ${(us / 1000 / per).toFixed(3)} ms` : '';
    out.push(`${((100 * us) / total).toFixed(1).padStart(5)}%${each}  ${who}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

if (require.main === module) main(process.argv.slice(2));
