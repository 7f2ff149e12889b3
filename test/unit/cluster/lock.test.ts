import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withLock } from '../../cluster/build.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('withLock: one build of a folder at a time', () => {
  it('two callers in one process take turns, without a word (cluster:up --gateway starts two Traefik instances)', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lock-')), 'traefik');
    const lines: string[] = [];
    const ran: string[] = [];
    const build = (name: string) => async () => {
      ran.push(`${name} start`);
      await sleep(50);
      ran.push(`${name} end`);
      return name;
    };
    const both = await Promise.all([
      withLock(dir, (l) => lines.push(l), build('a')),
      withLock(dir, (l) => lines.push(l), build('b')),
    ]);
    expect(both).toEqual(['a', 'b']);
    expect(ran).toEqual(['a start', 'a end', 'b start', 'b end']);
    expect(lines).toEqual([]);
  });

  it('says which process it waits for and what that one builds, then runs once that process is gone', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'lock-')), 'control-plane');
    const other = spawn('sleep', ['1']);
    mkdirSync(`${dir}.lock`);
    writeFileSync(join(`${dir}.lock`, 'pid'), String(other.pid));
    const lines: string[] = [];
    expect(
      await withLock(
        dir,
        (l) => lines.push(l),
        async () => 'built',
      ),
    ).toBe('built');
    expect(lines).toEqual([`waiting for process ${other.pid}, which is building ${dir}…`]);
  });
});
