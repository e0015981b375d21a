/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, after the
 * default reporter, so CI logs state the count in a form any reader parses.
 *
 * "failed" counts everything that makes the run fail, not only failed tests:
 * a file that could not load, a suite whose hook threw (its tests are then
 * reported as skipped), and unhandled errors. A failed run never closes on
 * `0 failed`.
 */
import type { SerializedError } from 'vitest';
import type { Reporter, TestModule, TestRunEndReason } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(
    modules: ReadonlyArray<TestModule>,
    unhandledErrors: ReadonlyArray<SerializedError> = [],
    reason: TestRunEndReason = 'passed',
  ): void {
    let passed = 0;
    let failedTests = 0;
    let skipped = 0;
    let failedOutsideTests = 0;
    for (const m of modules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      for (const s of m.children.allSuites()) {
        const suiteFailedItself = s.state() === 'failed' && ![...s.children.allTests()].some(isFailed);
        if (suiteFailedItself) failedOutsideTests++;
      }
      // A file that failed to load or whose top-level hook threw.
      if (m.state() === 'failed' && failedHere === 0 && ![...m.children.allSuites()].some(isFailedSuite))
        failedOutsideTests++;
      failedTests += failedHere;
    }
    failedOutsideTests += unhandledErrors.length;
    let failed = failedTests + failedOutsideTests;
    if (reason !== 'passed' && failed === 0) failed = 1; // interrupted or failed for a reason counted nowhere else
    const detail =
      failedOutsideTests > 0 ? ` (${failedOutsideTests} outside tests: files, hooks, errors)` : '';
    if (detail) process.stdout.write(`\nfailures${detail}\n`);
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

function isFailed(t: { result(): { state: string } }): boolean {
  return t.result().state === 'failed';
}

function isFailedSuite(s: { state(): string }): boolean {
  return s.state() === 'failed';
}
