// Timing and memory of one command, and the statistics RESULTS.md reports. Wall time comes from the parent (hrtime);
// peak RSS from GNU time, which reads the child's rusage.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Sample {
  ms: number;
  rssMiB: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

const scratch = mkdtempSync(join(tmpdir(), 'bench-'));

export function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Sample {
  const rusage = join(scratch, 'rusage');
  const started = process.hrtime.bigint();
  const res = spawnSync('/usr/bin/time', ['-f', '%M', '-o', rusage, cmd, ...args], {
    env,
    input,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const kib = Number(readFileSync(rusage, 'utf8').trim().split('\n').pop());
  return { ms, rssMiB: kib / 1024, code: res.status, stdout: res.stdout, stderr: res.stderr };
}

export interface Stats {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function stats(values: number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

export const fmt = (s: Stats, unit: string, digits = 0) =>
  `${s.median.toFixed(digits)} ${unit} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)}, n=${s.n})`;

export const ratio = (a: Stats, b: Stats) => a.median / b.median;
