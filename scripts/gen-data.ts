/**
 * Writes generated datasets with known structure as text files, to try
 * `tessera eval` by hand:
 *
 *   npx tsx scripts/gen-data.ts ratings  /tmp/ratings.tsv  [seed]   # u.data layout, ~100k ratings
 *   npx tsx scripts/gen-data.ts sessions /tmp/sessions.tsv [seed]   # session-rec layout
 */
import { syntheticRatings, syntheticSessions } from '../src/train/data/synthetic.js';
import { writeRatingsTsv, writeSessionsTsv } from '../src/train/data/write.js';

const [kind, out, seedArg] = process.argv.slice(2);
const seed = seedArg === undefined ? 1 : Number(seedArg);
if ((kind !== 'ratings' && kind !== 'sessions') || out === undefined || !Number.isInteger(seed)) {
  console.error('usage: npx tsx scripts/gen-data.ts ratings|sessions OUT_FILE [seed]');
  process.exit(2);
}
if (kind === 'ratings') {
  const { data } = syntheticRatings({ seed });
  await writeRatingsTsv(out, data);
  console.error(
    `[tessera] ${data.col.length} ratings by ${data.userIds.length} users on ${data.itemIds.length} items → ${out}`,
  );
} else {
  const { data } = syntheticSessions({ seed });
  await writeSessionsTsv(out, data);
  const clicks = data.sessions.reduce((a, s) => a + s.items.length, 0);
  console.error(
    `[tessera] ${data.sessions.length} sessions, ${clicks} clicks on ${data.itemIds.length} items → ${out}`,
  );
}
