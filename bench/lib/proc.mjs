// Child processes for benchmarks: start one, wait for its first JSON line.
import { spawn } from 'node:child_process';

export function startJson(args, opts = {}) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], ...opts });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl !== -1) resolve({ child, data: JSON.parse(buf.slice(0, nl)) });
    });
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited with ${code} before it was ready`)),
    );
  });
}

export async function runJson(args) {
  const { child, data } = await startJson(args);
  await new Promise((r) => child.once('exit', r));
  return data;
}
