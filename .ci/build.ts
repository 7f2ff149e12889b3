// npm run build: bin/kubectl-expose_sts, a single executable that embeds Node (what krew users get), in two parts:
//   main.cjs  argument parsing, options, planning, rendering: the SEA main script, with V8's code cache
//   kube.cjs  the kube layer with client-node, a SEA asset compiled only when a command talks to the cluster,
// so --help and usage errors never load the Kubernetes client (../shared/single-binary-notes.md).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Plugin } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'bin');
const work = join(out, '.build');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

export interface BuildResult {
  binary: string;
  parts: { main: string; kube: string };
}

/** The kube layer stays out of the main part: load.ts reaches it through the SEA asset instead. */
const kubeLayerOutside: Plugin = {
  name: 'kube-layer-outside',
  setup(b) {
    b.onResolve({ filter: /^\.\/index\.ts$/ }, (args) => (args.importer.endsWith(join('src', 'kube', 'load.ts')) ? { path: './kube.cjs', external: true } : undefined));
  },
};

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

export async function buildParts(): Promise<BuildResult['parts']> {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const main = join(work, 'main.cjs');
  const kube = join(work, 'kube.cjs');
  await build({ ...common, entryPoints: [join(root, 'cmd', 'kubectl-expose_sts.ts')], outfile: main, plugins: [kubeLayerOutside] });
  await build({ ...common, entryPoints: [join(root, 'src', 'kube', 'index.ts')], outfile: kube });
  return { main, kube };
}

/** Injects the parts into a Node executable; `executable` may be another platform's Node of the same version. */
export function buildSea(parts: BuildResult['parts'], output: string, executable = process.execPath, codeCache = true): string {
  const config = join(work, `sea-config-${Date.now()}.json`);
  writeFileSync(config, JSON.stringify({
    main: parts.main,
    output,
    executable,
    disableExperimentalSEAWarning: true,
    useCodeCache: codeCache, // tied to the building platform: off for cross-built targets
    assets: { 'kube.cjs': parts.kube },
  }));
  execFileSync(process.execPath, ['--build-sea', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  return output;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  const parts = await buildParts();
  const binary = buildSea(parts, join(out, process.platform === 'win32' ? 'kubectl-expose_sts.exe' : 'kubectl-expose_sts'));
  const size = (f: string) => `${(statSync(f).size / 1e6).toFixed(1)} MB`;
  process.stderr.write(`built ${binary} (${size(binary)}; main ${size(parts.main)}, kube ${size(parts.kube)}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
