/** Rows as an aligned text table for a terminal; long cells are cut to `maxWidth`. */
export function formatTable(rows: Record<string, unknown>[], columns: string[], maxWidth = 48): string {
  const cell = (v: unknown) => {
    const text = v === null || v === undefined ? '-' : v instanceof Date ? v.toISOString() : String(v);
    return text.length > maxWidth ? `${text.slice(0, maxWidth - 1)}…` : text;
  };
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}
