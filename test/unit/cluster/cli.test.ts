import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const cli = fileURLToPath(new URL('../../../test/cluster/cli.ts', import.meta.url));

describe('npm run cluster:up -- --bogus', () => {
  it('is one error line and the usage line, exit 2, no stack trace: nothing is started', () => {
    const res = spawnSync(process.execPath, [cli, 'up', '--bogus'], { encoding: 'utf8' });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/^error: Unknown option '--bogus'\nusage: cli\.ts up\|down\|build .*\n$/);
  });

  it('-h and --help print the usage line on stdout, exit 0', () => {
    for (const flag of ['-h', '--help']) {
      const res = spawnSync(process.execPath, [cli, 'up', flag], { encoding: 'utf8' });
      expect(res.status).toBe(0);
      expect(res.stdout).toMatch(/^usage: cli\.ts up\|down\|build .*\n$/);
      expect(res.stderr).toBe('');
    }
  });
});
