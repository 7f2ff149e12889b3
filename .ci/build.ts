// npm run build: bin/kubectl-expose_sts, a single executable that embeds Node (what krew users get), in three parts:
//   main.cjs  the launcher (cmd/): the SEA main script; prints --help and --version texts rendered at build time
//   cli.cjs   argument parsing, options, planning, rendering: a SEA asset, compiled when a command runs
//   kube.cjs  the kube layer (HTTP, credentials, requests): a SEA asset, compiled only when a command talks to the
//             cluster,
// so --help never loads the CLI and usage errors never load the Kubernetes client (docs/single-binary.md).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { adhocSign, isMachO } from './codesign.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'bin');
const work = join(out, '.build');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

export interface Parts {
  main: string;
  cli: string;
  kube: string;
}

/** Each part reaches the next through a SEA asset, so the source's dynamic import of it stays out of the bundle. */
const partsOutside: Plugin = {
  name: 'parts-outside',
  setup(b) {
    const seams: [string, string][] = [
      [join('src', 'kube', 'load.ts'), './index.ts'],
      [join('cmd', 'kubectl-expose_sts.ts'), '../src/cli/entry.ts'],
    ];
    b.onResolve({ filter: /\.ts$/ }, (args) =>
      seams.some(([importer, path]) => args.importer.endsWith(importer) && args.path === path)
        ? { path: args.path, external: true }
        : undefined,
    );
  },
};

/**
 * string-width (used by yargs' help layout and ora) builds an Intl.Segmenter when it loads, ≈ 8 ms of ICU set-up on
 * every command although only help and spinner text ever need it (bench/ANALYSIS.md, P4): made on first use instead.
 */
const lazySegmenter: Plugin = {
  name: 'lazy-segmenter',
  setup(b) {
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const eager = 'const segmenter = new Intl.Segmenter();';
      if (!source.includes(eager)) return undefined; // another version: bundled as it is
      return {
        contents: source.replace(
          eager,
          'let eagerLess;\nconst segmenter = { segment: (s) => (eagerLess ??= new Intl.Segmenter()).segment(s) };',
        ),
        loader: 'js',
      };
    });
  },
};

/** argv forms whose output is fixed, rendered once here by the CLI: help of every command, options, the version. */
async function renderTexts(cli: string): Promise<Record<string, string>> {
  const { main, subcommandNames } = createRequire(import.meta.url)(cli) as typeof import('../src/cli/entry.ts');
  const fixedForms = [
    ['--help'],
    ['-h'],
    ['--version'],
    ['options'],
    ...subcommandNames.flatMap((c) => [
      [c, '--help'],
      [c, '-h'],
    ]),
  ];
  const texts: Record<string, string> = {};
  for (const argv of fixedForms) {
    let out = '';
    let err = '';
    const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
    if (code !== 0 || err) throw new Error(`rendering "${argv.join(' ')}" failed: ${err}`);
    texts[argv.join('\0')] = out;
  }
  return texts;
}

const common: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node26',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
  define: {
    EXPOSE_STS_BUNDLED: 'true',
    EXPOSE_STS_VERSION: JSON.stringify(`v${pkg.version}`),
    // Dependencies written as ES modules call createRequire(import.meta.url), which a CommonJS bundle lacks.
    'import.meta.url': '__import_meta_url',
  },
  banner: { js: 'var __import_meta_url=require("node:url").pathToFileURL(__filename).href;' },
};

export async function buildParts(): Promise<Parts> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const [main, cli, kube] = ['main.cjs', 'cli.cjs', 'kube.cjs'].map((f) => join(work, f));
  await build({
    ...common,
    entryPoints: [join(root, 'src', 'cli', 'entry.ts')],
    outfile: cli,
    plugins: [partsOutside, lazySegmenter],
  });
  await build({ ...common, entryPoints: [join(root, 'src', 'kube', 'index.ts')], outfile: kube });
  const texts = await renderTexts(cli);
  // The launcher is the whole of --help's start-up: it needs no import.meta.url, so not the banner's require either.
  await build({
    ...common,
    entryPoints: [join(root, 'cmd', 'kubectl-expose_sts.ts')],
    outfile: main,
    plugins: [partsOutside],
    banner: {},
    define: { ...common.define, EXPOSE_STS_TEXTS: JSON.stringify(texts) },
  });
  return { main, cli, kube };
}

/**
 * Injects the parts into a Node executable; `executable` may be another platform's Node of the same version.
 * The SEA blob records the paths its config names, so they are given relative to the parts' folder: the same source
 * then gives the same bytes in any checkout (release archives are reproducible).
 */
export function buildSea(parts: Parts, output: string, executable = process.execPath, codeCache = true): string {
  const dir = dirname(parts.main);
  const config = join(dir, 'sea-config.json');
  const tmpOut = join(dir, `sea-${process.pid}`);
  // Memory for a command that runs seconds, not hours (bench/ANALYSIS.md, P5): a young generation of 1 MiB instead
  // of up to 16, as a command keeps little of the garbage of a thousand requests; no slower in P2 or P4. (The
  // launcher turns off the optimizing compilers itself, after --help: see cmd/.)
  const execArgv = ['--max-semi-space-size=1'];
  writeFileSync(
    config,
    JSON.stringify({
      main: relative(dir, parts.main),
      output: relative(dir, tmpOut),
      executable,
      disableExperimentalSEAWarning: true,
      useCodeCache: codeCache, // tied to the building platform, and not deterministic: off for releases
      execArgv,
      // A user's NODE_OPTIONS are for their own Node programs, not for a kubectl plugin that happens to embed Node.
      execArgvExtension: 'none',
      assets: { 'cli.cjs': relative(dir, parts.cli), 'kube.cjs': relative(dir, parts.kube) },
    }),
  );
  // Built under the same V8 flags as it runs with: V8 rejects (with a warning) a code cache made under others.
  execFileSync(process.execPath, [...execArgv, '--build-sea', 'sea-config.json'], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  mkdirSync(dirname(output), { recursive: true });
  const sea = readFileSync(tmpOut);
  // A macOS executable must carry a signature to run on Apple Silicon, and injecting the blob removed Node's.
  // Written beside it and renamed over it: a binary still running (a test's --watch) keeps its own file, where
  // writing into it fails (ETXTBSY) and left the old build in place. Not renamed from tmpOut: another file system.
  const next = `${output}.new`;
  writeFileSync(next, isMachO(sea) ? adhocSign(sea, basename(output)) : sea);
  chmodSync(next, 0o755);
  renameSync(next, output);
  rmSync(tmpOut, { force: true });
  return output;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const parts = await buildParts();
  const binary = buildSea(
    parts,
    join(out, process.platform === 'win32' ? 'kubectl-expose_sts.exe' : 'kubectl-expose_sts'),
  );
  const size = (f: string) => `${(statSync(f).size / 1e6).toFixed(1)} MB`;
  process.stderr.write(
    `built ${binary} (${size(binary)}; main ${size(parts.main)}, cli ${size(parts.cli)}, kube ${size(parts.kube)}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
  );
}
