// The report as JSON: the Report value itself (summary, findings, warnings), with stable bytes.

import type { Report } from './build.js';

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
