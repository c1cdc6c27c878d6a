/** Aligned text columns, as kafka-topics.sh prints them. */

/** Rows padded so each column lines up; the last column is not padded. Cells are never truncated. */
export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const lines = all.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
  return `${lines.join('\n')}\n`;
}
