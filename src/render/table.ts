// Tables that look like kubectl's: upper-case headers, no borders, three spaces between columns, no trailing blanks
// (kubectl's printer is Go's tabwriter with padding 3). Written here rather than with cli-table3: that took 220–350 ms
// to lay out 1000 rows (bench/RESULTS.md, P4), this takes about a millisecond.
export function table(headers: string[], rows: string[][]): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] + 3))).join('');
  return all.map((r) => `${line(r).trimEnd()}\n`).join('');
}
