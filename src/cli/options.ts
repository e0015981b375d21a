/** Option parsers shared by the commands. */
import { InvalidArgumentError } from 'commander';

export function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is an integer 0-65535');
  return n;
}

export function consentMode(v: string): 'opt-in' | 'opt-out' {
  if (v !== 'opt-in' && v !== 'opt-out') throw new InvalidArgumentError('use opt-in or opt-out');
  return v;
}

export function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export const envPort = (): number => (process.env.PORT ? port(process.env.PORT) : 8787);
