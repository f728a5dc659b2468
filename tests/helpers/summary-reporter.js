/**
 * Prints one plain closing line, "tests: N passed, N failed, N skipped",
 * after jest's own summary, so CI logs state the outcome in a fixed form.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stderr.write(
      `tests: ${results.numPassedTests} passed, ${results.numFailedTests} failed, ${skipped} skipped\n`,
    );
  }
}
module.exports = SummaryReporter;
