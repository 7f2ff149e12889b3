// Tables that look like kubectl's: upper-case headers, no borders, three spaces between columns, no trailing blanks.
import Table from 'cli-table3';

const noBorders = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '   ',
};

export function table(headers: string[], rows: string[][]): string {
  const t = new Table({ head: headers, chars: noBorders, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 } });
  t.push(...rows);
  return t.toString().split('\n').map((line) => line.trimEnd()).join('\n') + '\n';
}
