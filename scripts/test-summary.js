// Prints the closing "N passed, N failed" line of a test run from Vitest's JSON report.
import { readFileSync } from 'node:fs'

const reportPath = process.argv[2] ?? 'reports/vitest.json'
try {
  const report = JSON.parse(readFileSync(reportPath, 'utf8'))
  const skipped = report.numPendingTests + report.numTodoTests
  console.log(
    `${report.numPassedTests} passed, ${report.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`,
  )
} catch (error) {
  console.log(`0 passed, 0 failed (no test report at ${reportPath}: ${error.message})`)
}
