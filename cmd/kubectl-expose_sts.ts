// The executable kubectl finds as `kubectl expose-sts`. In the single binary this is the whole start-up path for
// --help, --version and options: their texts are rendered at build time by the CLI itself (.ci/build.ts), so they
// print without loading it. Everything else loads the CLI part and exits with its code.
import { exitOnSignals } from '../src/cli/io.ts';
import type * as Cli from '../src/cli/entry.ts';
import { bundled, loadPart } from '../src/part.ts';
import { wrapLimit } from '../src/render/wrap.ts';

declare const EXPOSE_STS_TEXTS: Record<string, string> | undefined; // set by the build: argv joined by NUL → output

const argv = process.argv.slice(2);
// The texts are the unwrapped ones (a pipe, a file): help on a wide terminal is wrapped by the CLI, as kubectl wraps.
const fixed = typeof EXPOSE_STS_TEXTS !== 'undefined' && !(process.stdout.isTTY && wrapLimit(process.stdout.columns));
const text = fixed ? EXPOSE_STS_TEXTS[argv.join('\0')] : undefined;
if (text !== undefined) {
  process.stdout.write(text);
} else {
  exitOnSignals(); // from the start: the CLI part installs its own copy, which knows what the command has done
  const cli: Promise<typeof Cli> = bundled
    ? Promise.resolve(loadPart('cli.cjs') as typeof Cli)
    : import('../src/cli/entry.ts');
  void cli
    .then(({ main, processIO, exitOnSignals: cliExitOnSignals }) => {
      cliExitOnSignals();
      return main(argv, processIO);
    })
    .then((code) => {
      // Exit once what was written is out, rather than when nothing is left to do: a read sent alongside one that
      // failed for good would otherwise keep retrying, and the process waiting, after the error was printed.
      process.exitCode = code;
      // (A reader that went away makes the write fail: then the EPIPE handler ends it, with 141.)
      process.stdout.write('', (err) => {
        if (!err) process.stderr.write('', () => setImmediate(() => process.exit(code)));
      });
    });
}
