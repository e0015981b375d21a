// Where a CPU profile's busy time goes: each function's inclusive share of
// the samples that were not idle (a function counted once per sample however
// deep it recurs), largest first. For the profiles `--cpu-prof` writes, such
// as `node bench/ingest.mjs --cpu-prof=DIR` (a server alternates with the
// bare one there, so its idle time is not a cost: shares are of busy time).
//
//   node bench/cpuprofile-shares.mjs FILE.cpuprofile [--top=40] [--self]
//
// `--self`: time spent in the function itself, not in what it calls.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file || file.startsWith('--')) {
  console.error('usage: node bench/cpuprofile-shares.mjs FILE.cpuprofile [--top=40] [--self]');
  process.exit(2);
}
const top = Number(process.argv.find((a) => a.startsWith('--top='))?.slice(6) ?? 40);
const selfOnly = process.argv.includes('--self');

const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const label = ({ callFrame: f }) =>
  `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;

const shares = new Map();
let busy = 0;
let idle = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  if (nodes.get(id).callFrame.functionName === '(idle)') {
    idle += dt;
    return;
  }
  busy += dt;
  const counted = new Set();
  for (let at = id; at !== undefined; at = selfOnly ? undefined : parent.get(at)) {
    const key = label(nodes.get(at));
    if (counted.has(key)) continue;
    counted.add(key);
    shares.set(key, (shares.get(key) ?? 0) + dt);
  }
});
shares.delete(label({ callFrame: { functionName: '(root)', url: '', lineNumber: -1 } }));
console.log(
  `busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms; ${selfOnly ? 'self' : 'inclusive'} share of busy time:`,
);
for (const [key, t] of [...shares].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${((100 * t) / busy).toFixed(1).padStart(5)} %  ${key}`);
