// npm run dist: one archive per platform krew serves, in dist/, with SHA256SUMS; plugin.yaml is regenerated from them.
// Each archive holds kubectl-expose_sts (a Node single executable), the completion script and LICENSE. Base Node
// executables of the pinned version come from the npm registry (node-<os>-<arch> packages) and are cached.
//   node .ci/dist.ts [--only linux/amd64]
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tar from 'tar';
import yazl from 'yazl';
import { completionScripts } from '../src/cli/completion.ts';
import { cacheRoot } from '../test/cluster/versions.ts';
import { buildParts, buildSea, type Parts } from './build.ts';
import { renderManifest, sha256, type PlatformArchive } from './manifest.ts';
import { exe, platformFiles, targets, type Target } from './platforms.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};
const nodeVersion = pkg.devDependencies.node;

export const isHost = (t: { os: string; arch: string }) =>
  t.os === ({ win32: 'windows' } as Record<string, string>)[process.platform] || t.os === process.platform
    ? t.arch === ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch]
    : false;

/** The target's Node executable: our own for the host, otherwise unpacked from the npm registry once and cached. */
export function baseExecutable(t: Target): string {
  if (isHost(t)) return process.execPath;
  const dir = join(cacheRoot(), 'node-bases', `${t.npmPackage}-${nodeVersion}`);
  const binary = join(dir, 'package', 'bin', exe(t, 'node'));
  if (existsSync(binary)) return binary;
  const tmp = mkdtempSync(join(tmpdir(), 'node-base-'));
  process.stderr.write(`  fetching ${t.npmPackage}@${nodeVersion} from the npm registry…\n`);
  const file = execFileSync('npm', ['pack', `${t.npmPackage}@${nodeVersion}`, '--silent', '--pack-destination', tmp], {
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()!;
  mkdirSync(dir, { recursive: true });
  tar.x({ file: join(tmp, file), cwd: dir, sync: true });
  rmSync(tmp, { recursive: true, force: true });
  return binary;
}

const fixedTime = new Date('2026-01-01T00:00:00Z'); // fixed times and order keep archives reproducible

async function archive(t: Target, dir: string, files: string[], out: string): Promise<void> {
  if (t.os === 'windows') {
    const zip = new yazl.ZipFile();
    for (const f of files) zip.addFile(join(dir, f), f, { mtime: fixedTime, mode: 0o100755 });
    zip.end();
    await new Promise<void>((resolve, reject) =>
      zip.outputStream.pipe(createWriteStream(out)).on('close', resolve).on('error', reject),
    );
  } else {
    await tar.c(
      { gzip: { level: 9 }, file: out, cwd: dir, portable: true, mtime: fixedTime, noDirRecurse: true },
      files,
    );
  }
}

export async function buildDist(
  only?: (t: Target) => boolean,
  outDir = dist,
  parts?: Parts,
): Promise<PlatformArchive[]> {
  const started = Date.now();
  mkdirSync(outDir, { recursive: true });
  parts ??= await buildParts();
  const results: PlatformArchive[] = [];
  for (const t of targets.filter(only ?? (() => true))) {
    const stage = mkdtempSync(join(tmpdir(), `expose-sts-${t.os}-${t.arch}-`));
    const files = platformFiles(t);
    const { bin, completion } = files;
    // No V8 code cache in releases: it is not byte-for-byte reproducible (the archives are, so anyone can check a
    // release against its source), it fits only the building platform, and it saved just 8 ms of 112 on --help.
    // A darwin binary comes out of buildSea signed (ad hoc), as macOS on Apple Silicon requires.
    buildSea(parts, join(stage, bin), baseExecutable(t), false);
    writeFileSync(join(stage, completion), completionScripts[t.os === 'windows' ? 'win32' : 'posix'], { mode: 0o755 });
    copyFileSync(join(root, 'LICENSE'), join(stage, 'LICENSE'));
    const out = join(outDir, files.file);
    await archive(t, stage, [bin, completion, 'LICENSE'], out);
    rmSync(stage, { recursive: true, force: true });
    results.push({ ...files, sha256: sha256(out) });
    process.stderr.write(`  ${files.file}: ${(statSync(out).size / 1e6).toFixed(1)} MB\n`);
  }
  writeFileSync(join(outDir, 'SHA256SUMS'), results.map((r) => `${r.sha256}  ${r.file}\n`).join(''));
  process.stderr.write(`dist built in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const only = values.only ? (t: Target) => `${t.os}/${t.arch}` === values.only : undefined;
  const archives = await buildDist(only);
  if (!only) {
    writeFileSync(join(root, 'plugin.yaml'), renderManifest(pkg.version, archives));
    process.stderr.write('plugin.yaml regenerated from dist/\n');
  }
}
