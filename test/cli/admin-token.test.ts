/**
 * `TOKEN=$(tessera admin token --scopes ...)` captures the token alone: the
 * built CLI prints only the token and a newline on stdout, and its note on
 * stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.js';

const dir = mkdtempSync(join(tmpdir(), 'tessera-token-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera admin token', () => {
  it('prints only the token on stdout and the note on stderr', async () => {
    const { stdout, stderr } = await runCli([
      'admin',
      'token',
      '--scopes',
      'read:stats',
      '--name',
      'ci',
      '--data-dir',
      dir,
    ]);
    expect(stdout).toMatch(/^tsr_[A-Za-z0-9_-]{43}\n$/);
    expect(stdout.split('\n')).toHaveLength(2);
    expect(stderr).toMatch(/^# ci \(read:stats\): shown once/);
    // The captured token is the one stored (by hash): the list shows its name.
    const listed = await runCli(['admin', 'token', '--list', '--data-dir', dir]);
    expect(listed.stdout).toMatch(/^ci\tread:stats\tcreated /);
  });
});
