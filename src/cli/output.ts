// Rendering for every command: JSON (stable bytes), aligned tables and Markdown tables.

import { UsageError } from '../errors.js';

export type OutputFormat = 'json' | 'table' | 'markdown';

export function parseOutputFormat(v: string | undefined, extra: string[] = []): OutputFormat {
  const f = (v ?? 'table').toLowerCase();
  if (f === 'json' || f === 'table' || f === 'markdown' || f === 'md') return f === 'md' ? 'markdown' : f;
  if (extra.includes(f)) return f as OutputFormat;
  throw new UsageError(`unknown output format "${v}" (use json, table or markdown${extra.length ? `, ${extra.join(', ')}` : ''})`);
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** A plain aligned table; empty cells stay empty so that grouped rows read well. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

export function renderMarkdownTable(headers: string[], rows: string[][]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const out = [`| ${headers.map(esc).join(' | ')} |`, `|${headers.map(() => '---').join('|')}|`];
  for (const r of rows) out.push(`| ${headers.map((_, i) => esc(r[i] ?? '')).join(' | ')} |`);
  return out.join('\n') + '\n';
}

export function renderRows(format: OutputFormat, headers: string[], rows: string[][]): string {
  return format === 'markdown' ? renderMarkdownTable(headers, rows) : renderTable(headers, rows);
}
