import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url);
const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);

describe('the repository explains itself', () => {
  it('points to nothing outside it: what the code relies on is in docs/ or in the comment', () => {
    const outside = ['..', 'shared', ''].join('/'); // a sibling folder that a clone does not have
    const pointing = tracked.filter(
      (f) => !f.endsWith('.json') && readFileSync(new URL(f, root), 'utf8').includes(outside),
    );
    expect(pointing).toEqual([]);
  });
  it('names in comments only docs that exist', () => {
    const named = new Set(
      tracked.flatMap((f) =>
        [...readFileSync(new URL(f, root), 'utf8').matchAll(/\bdocs\/[\w-]+\.md\b/g)].map((m) => m[0]),
      ),
    );
    expect([...named].filter((d) => !tracked.includes(d))).toEqual([]);
  });
});
