// Tables that look like kubectl's: upper-case headers, no borders, three spaces between columns, no trailing blanks
// (kubectl's printer is Go's tabwriter with padding 3). Written here rather than with cli-table3: that took 220–350 ms
// to lay out 1000 rows (bench/RESULTS.md, P4), this takes about a millisecond.

/** A table as printed, and how to print one more row later in its columns. */
export interface Laid {
  text: string;
  /**
   * A row printed after the table (a changed member, as `kubectl get --watch` prints one) in the columns the table
   * laid out; a longer cell pushes only its own line's later cells, still three spaces on.
   */
  line(cells: string[]): string;
}

/** `noHeaders`: the rows alone, laid out by their own widths (kubectl get --no-headers). */
export function layTable(headers: string[], rows: string[][], noHeaders = false): Laid {
  const all = noHeaders ? rows : [headers, ...rows];
  const widths = headers.map((_, c) => Math.max(0, ...all.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    `${r
      .map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(Math.max(widths[c], cell.length) + 3)))
      .join('')
      .trimEnd()}\n`;
  return { text: all.map(line).join(''), line };
}

export const table = (headers: string[], rows: string[][]): string => layTable(headers, rows).text;
