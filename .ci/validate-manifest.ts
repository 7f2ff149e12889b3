// Runs krew's own validator (built from Go modules) on plugin.yaml. The validator insists that the file is named
// after the plugin, and without -skip-install it would download every platform's uri: installation is proven
// separately (test/e2e/krew) with `kubectl krew install --manifest --archive`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureKrewTools } from '../test/krew/tools.ts';

const manifest = process.argv[2] ?? fileURLToPath(new URL('../plugin.yaml', import.meta.url));
const { validate } = await ensureKrewTools();
const copy = join(mkdtempSync(join(tmpdir(), 'krew-validate-')), 'expose-sts.yaml');
copyFileSync(manifest, copy);
const res = spawnSync(validate, ['-manifest', copy, '-skip-install'], { encoding: 'utf8' });
// klog prints a goroutine dump on a fatal error; the cause is the line that starts with F.
const fatal = res.stderr.split('\n').find((l) => l.startsWith('F'));
process.stderr.write(
  res.status === 0
    ? `krew's validator accepts ${manifest}\n`
    : `error: krew's validator rejects ${manifest}: ${fatal ?? res.stderr.slice(0, 500)}\n`,
);
process.exit(res.status ?? 1);
