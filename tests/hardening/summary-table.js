/**
 * Jest reporter of the hardening suite: prints the summary table when the run
 * ends (inputs fuzzed, attacks tried, faults injected, requests under load,
 * secrets scanned; each with its failures). Rows come from the tally the
 * tests write (tests/hardening/tally.ts) and, for suites counted per test
 * case, from the test results themselves (COUNTED_FILES). A category also
 * counts a failure for every failed test of its files, so a test that dies
 * before it records still shows in the table.
 */
const { mkdtempSync, readFileSync, existsSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join, relative } = require('node:path');

const CATEGORIES = {
  fuzz: 'inputs fuzzed',
  attack: 'attacks tried',
  fault: 'faults injected',
  load: 'requests under load',
  secret: 'secrets scanned',
  unrecorded: 'failed unrecorded',
};

/** Suites outside tests/hardening whose test cases are hardening checks. */
const COUNTED_FILES = {
  'tests/integration/media/empty-sources.test.ts': {
    category: 'fault',
    area: 'the dangerous kind: 200 with empty or implausibly short data (cases)',
  },
};

class SummaryTable {
  constructor() {
    this.tally = join(mkdtempSync(join(tmpdir(), 'plm-hardening-')), 'tally.jsonl');
    process.env.PLM_HARDENING_TALLY = this.tally;
    this.fileResults = [];
  }

  onTestResult(_test, result) {
    const file = relative(process.cwd(), result.testFilePath);
    const failedTests = result.testResults.filter((t) => t.status === 'failed').map((t) => t.fullName);
    this.fileResults.push({ file, passed: result.numPassingTests, failed: result.numFailingTests, failedTests });
  }

  onRunComplete() {
    const rows = existsSync(this.tally)
      ? readFileSync(this.tally, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l))
      : [];
    for (const r of this.fileResults) {
      const counted = COUNTED_FILES[r.file];
      if (counted)
        rows.push({
          ...counted,
          count: r.passed + r.failed,
          failures: r.failed,
          file: r.file,
          test: '(per test case)',
        });
    }
    if (!rows.length) return;
    // A failed test counts in the categories it recorded rows in, so one that dies before recording still shows.
    const failedByCategory = new Map();
    const recordedBy = (file, test) => rows.filter((r) => r.file === file && r.test === test);
    const hardening = (f) => f.file.startsWith('tests/hardening/') && !COUNTED_FILES[f.file];
    for (const r of this.fileResults.filter(hardening))
      for (const test of r.failedTests) {
        const recorded = recordedBy(r.file, test);
        if (!recorded.length) rows.push({ category: 'unrecorded', area: `${r.file}: ${test}`, count: 0, failures: 1 });
        for (const c of new Set(recorded.map((x) => x.category)))
          failedByCategory.set(c, (failedByCategory.get(c) ?? 0) + 1);
      }
    const lines = ['', 'Hardening summary', ''];
    for (const r of rows) if (r.area.length > 90) r.area = `${r.area.slice(0, 89)}…`;
    const width = Math.max(...rows.map((r) => r.area.length), 20);
    const head = (a, b, c, d) => `${a.padEnd(20)} ${b.padEnd(width)} ${c.padStart(9)} ${d.padStart(9)}`;
    lines.push(head('category', 'area', 'count', 'failures'));
    const totals = [];
    for (const [key, label] of Object.entries(CATEGORIES)) {
      const mine = rows.filter((r) => r.category === key);
      if (!mine.length) continue;
      for (const r of mine) {
        lines.push(head(label, r.area, r.count.toLocaleString('en'), String(r.failures)));
        if (r.detail) lines.push(`${' '.repeat(21)}  ${r.detail}`);
      }
      const failures = Math.max(
        mine.reduce((n, r) => n + r.failures, 0),
        failedByCategory.get(key) ?? 0,
      );
      totals.push(head(label, 'total', mine.reduce((n, r) => n + r.count, 0).toLocaleString('en'), String(failures)));
    }
    lines.push('', ...totals, '');
    const text = lines.join('\n');
    process.stderr.write(`${text}\n`);
    if (process.env.PLM_HARDENING_SUMMARY) writeFileSync(process.env.PLM_HARDENING_SUMMARY, text);
  }
}

module.exports = SummaryTable;
