import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { syntheticRatings, syntheticSessions } from '../../train/data/synthetic.js';
import { writeRatingsTsv, writeSessionsTsv } from '../../train/data/write.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'tessera-eval-cli-'));
const ratings = join(dir, 'u.data');
const sessions = join(dir, 'sessions.tsv');

function tessera(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return tesseraWith({}, ...args);
}

function tesseraWith(
  env: Record<string, string>,
  ...args: string[]
): Promise<{ stdout: string; stderr: string }> {
  return run('npx', ['tsx', 'src/cli/main.ts', 'eval', ...args], {
    cwd: process.cwd(),
    maxBuffer: 1 << 24,
    env: { ...process.env, ...env },
  });
}

beforeAll(async () => {
  await writeRatingsTsv(
    ratings,
    syntheticRatings({ users: 120, items: 150, ratings: 3000, clusters: 4, seed: 9 }).data,
  );
  await writeSessionsTsv(sessions, syntheticSessions({ sessions: 800, items: 120, topics: 4, seed: 9 }).data);
});

describe('tessera eval', () => {
  it('prints top-k JSON with the chosen model beside the popularity and item-kNN baselines', async () => {
    const { stdout, stderr } = await tessera(
      '--data',
      ratings,
      '--split',
      'stratified',
      '--by',
      'item',
      '--ratio',
      '0.75',
      '--seed',
      '42',
      '--k',
      '10',
      '--json',
    );
    const out = JSON.parse(stdout) as {
      protocol: Record<string, unknown>;
      k: number;
      split: Record<string, unknown>;
      rows: Array<Record<string, unknown>>;
    };
    expect(out.protocol).toMatchObject({ name: 'top-k', skippedUsers: 0 });
    expect(out.k).toBe(10);
    expect(out.split).toMatchObject({ kind: 'stratified', by: 'item', ratio: 0.75, seed: 42 });
    const names = out.rows.map((r) => r.model);
    expect(names).toEqual(expect.arrayContaining(['popularity', 'itemknn', 'ease']));
    for (const r of out.rows) {
      for (const m of [
        'map',
        'ndcg',
        'precision',
        'recall',
        'coverage',
        'diversity',
        'novelty',
        'train_seconds',
      ])
        expect(typeof r[m], `${r.model}.${m}`).toBe('number');
      expect(typeof r.params).toBe('object');
    }
    expect(out.rows.filter((r) => r.chosen)).toHaveLength(1);
    // The table and progress go to stderr when stdout carries JSON.
    expect(stderr).toMatch(/nDCG@10/);
    expect(stderr).toMatch(/tuning on a validation split/);
  }, 120_000);

  it('prints the next-item table with AR, SR and S-kNN for a session file', async () => {
    const { stdout } = await tessera(
      '--data',
      sessions,
      '--protocol',
      'next-item',
      '--k',
      '20',
      '--test-fraction',
      '0.2',
    );
    expect(stdout).toMatch(/HR@20\s+MRR@20/);
    expect(stdout).toMatch(/next-item: repeats kept \(session-rec\); \d+ predictions/);
    for (const name of ['ar', 'sr', 'sknn']) expect(stdout).toMatch(new RegExp(`^[ *] ${name}\\s`, 'm'));
  }, 120_000);

  it('says in the JSON that repeats were collapsed when TESSERA_EVAL_COLLAPSE_REPEATS asks for it', async () => {
    const { stdout } = await tesseraWith(
      { TESSERA_EVAL_COLLAPSE_REPEATS: '1' },
      '--data',
      'test/fixtures/otto-sample.jsonl',
      '--protocol',
      'next-item',
      '--json',
    );
    const out = JSON.parse(stdout) as { protocol: Record<string, unknown> };
    expect(out.protocol).toMatchObject({ name: 'next-item', collapseRepeats: true });
    expect(out.protocol.mergedRepeats).toBeGreaterThan(0);
    expect(Object.keys(out.protocol)).toEqual(
      expect.arrayContaining(['predictions', 'skippedUnseen', 'skippedSessions']),
    );
  }, 120_000);

  it('exits non-zero with the file and line of a bad row', async () => {
    const bad = join(dir, 'bad.tsv');
    writeFileSync(bad, '1\t2\t3\t4\n1\t2\tx\t4\n');
    await expect(tessera('--data', bad)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`${bad}:2: rating "x" is not a number`),
    });
  }, 60_000);
});
