/**
 * Four projects, so the fast loop is `npx vitest --project unit` while
 * `npm test` (`vitest run`) still runs every file exactly once:
 *
 * - `integration`: files that talk to Redis, NATS or PostgreSQL, listen on a
 *   port, spawn a server or the CLI, or run workerd, and the HTTP fuzz
 *   suite (listed below);
 * - `e2e`: Chromium (`*.e2e.test.ts`);
 * - `next`: examples/next under Next.js itself (`next build`, then
 *   `next start` on a port; test/next/). It needs dist/ (`npm test` builds
 *   first) and takes about a minute, mostly `next build`;
 * - `unit`: every other test file (pure, in-process). It is defined as "all
 *   but the other two", so a new file is never left out of the run: a new
 *   file that needs a service or a socket belongs in INTEGRATION.
 */
import { configDefaults, defineConfig } from 'vitest/config';

const ALL = ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts'];
const E2E = ALL.map((glob) => glob.replace('*.test.ts', '*.e2e.test.ts'));
const NEXT = ['test/next/**/*.test.ts'];
const INTEGRATION = [
  // Redis, NATS (test/helpers/services.ts or their clients)
  'src/cli/commands/reencrypt.test.ts',
  'src/connections/redis-rate-limit.test.ts',
  'test/conformance/convergence.test.ts',
  'test/conformance/nats.test.ts',
  'test/conformance/redis.test.ts',
  'test/federated/cross-node.test.ts',
  'test/federated/edge-node.test.ts', // Node apps on a port; two of them on Redis
  'test/security/redis-erasure.test.ts',
  // spawned processes: the built CLI, redis-server, cluster nodes
  'src/cli/commands/eval.test.ts',
  'src/cli/commands/doctor.test.ts',
  'test/cli/**/*.test.ts',
  'src/connections/redis.test.ts',
  'test/cluster/**/*.test.ts',
  // HTTP servers on a port
  'src/admin/admin.http.test.ts',
  'src/runtimes/node/model-watcher.test.ts',
  'src/sim/sim.test.ts', // one of its tests drives the demo shop over HTTP
  'src/sim/rollout.test.ts',
  'test/models/**/*.test.ts',
  'test/http/**/*.test.ts',
  'test/frameworks/**/*.test.ts', // Hono, Express, Fastify servers on a port; Hono in workerd; Next's middleware in edge-runtime
  'test/observe/**/*.test.ts',
  'test/security/admin-access.test.ts',
  'test/security/erasure.test.ts',
  'test/security/revenue-bounds.test.ts',
  'test/security/retention-sweep.node.test.ts', // the Node app on SQLite files
  'test/security/secure-cookies.test.ts', // the built CLI
  'src/runtimes/node/process-guards.test.ts',
  // the HTTP handler fuzzed in process: no socket, but 100,000 requests (30 s) do not fit a fast loop
  'test/fuzz/**/*.test.ts',
  // workerd through Miniflare
  'test/workerd/**/*.test.ts',
  // Deno, Bun, Vercel's edge-runtime: spawned runtimes and servers on a port
  'test/runtimes/**/*.test.ts',
  'test/conformance/ledger-kv.test.ts',
  'test/conformance/ledger-do.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Reporters belong to the whole run: the summary line counts every project.
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ALL,
          exclude: [...configDefaults.exclude, ...INTEGRATION, ...E2E, ...NEXT],
          // Pure files share their forks instead of starting one each: half the CPU time
          // of the project. They keep no global state (no mocks or stubbed globals).
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'integration', include: INTEGRATION, exclude: [...configDefaults.exclude, ...E2E] },
      },
      { extends: true, test: { name: 'e2e', include: E2E, exclude: [...configDefaults.exclude] } },
      // `next build` alone takes 40-90 s on a loaded machine: the build is in beforeAll.
      { extends: true, test: { name: 'next', include: NEXT, hookTimeout: 300_000 } },
    ],
  },
});
