// The executable kubectl finds as `kubectl expose-sts`. In the single binary this is the whole start-up path for
// --help and --version: their texts are rendered at build time from the same yargs definitions (.ci/build.ts), so
// they print without loading the CLI. Everything else loads the CLI part and exits with its code.
import { bundled, loadPart } from '../src/part.ts';
import { exitOnSignals } from '../src/cli/io.ts';
import type * as Cli from '../src/cli/entry.ts';

declare const EXPOSE_STS_TEXTS: Record<string, string> | undefined; // set by the build: argv joined by NUL → output

const argv = process.argv.slice(2);
const text = typeof EXPOSE_STS_TEXTS !== 'undefined' ? EXPOSE_STS_TEXTS[argv.join('\0')] : undefined;
if (text !== undefined) {
  process.stdout.write(text);
} else {
  exitOnSignals(); // from the start: the CLI part installs its own copy, which knows what the command has done
  // No optimizing compilers (Maglev, TurboFan): their compile zones cost ≈ 10 MiB (bench/ANALYSIS.md, P5) for code
  // that never runs long enough to gain from them. Set here rather than as a start-up flag, which would make Node
  // recompile its own built-in modules and slow down --help.
  process.getBuiltinModule('node:v8').setFlagsFromString('--no-maglev --no-turbofan');
  const cli: Promise<typeof Cli> = bundled ? Promise.resolve(loadPart('cli.cjs') as typeof Cli) : import('../src/cli/entry.ts');
  void cli.then(({ main, processIO, exitOnSignals: cliExitOnSignals }) => {
    cliExitOnSignals();
    return main(argv, processIO);
  }).then((code) => {
    process.exitCode = code;
  });
}
