// The single binary is made of parts (see .ci/build.ts): the SEA main script is a small launcher, and the CLI and
// the kube layer are SEA assets compiled only when needed. Outside a SEA the parts sit beside the launcher bundle.
//
// Compiling the parts is most of a command's start-up (the kube layer is 2.3 MB), so V8's code cache for them is
// written on the first run to the user's cache directory, as kubectl keeps its discovery cache, and used from then
// on. It is made on the machine that runs it, not at build time, so release archives stay byte-for-byte
// reproducible; V8 rejects a cache that does not fit (another binary, other flags) and the part compiles as before.
declare const EXPOSE_STS_BUNDLED: boolean | undefined; // set by the build (esbuild define)

export const bundled = typeof EXPOSE_STS_BUNDLED !== 'undefined';

function cacheFile(name: string): string | undefined {
  if (process.env.EXPOSE_STS_NO_CODE_CACHE) return undefined;
  const { join } = process.getBuiltinModule('node:path');
  const { homedir } = process.getBuiltinModule('node:os');
  try {
    // The binary's size and time identify its contents well enough: V8 checks the source itself as well.
    const { size, mtimeMs } = process.getBuiltinModule('node:fs').statSync(process.execPath);
    const dir = join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'expose-sts', 'code-cache');
    return join(dir, `${name}-${size}-${Math.round(mtimeMs)}.v8`);
  } catch {
    return undefined;
  }
}

export function loadPart(name: string): unknown {
  const sea = process.getBuiltinModule('node:sea');
  const fs = process.getBuiltinModule('node:fs');
  const path = process.getBuiltinModule('node:path');
  const vm = process.getBuiltinModule('node:vm');
  const { createRequire } = process.getBuiltinModule('node:module');
  const inSea = sea.isSea();
  const filename = inSea ? process.execPath : path.join(__dirname, name);
  const code = inSea ? sea.getAsset(name, 'utf8') : fs.readFileSync(filename, 'utf8');

  const cache = inSea ? cacheFile(name) : undefined;
  let cachedData: Buffer | undefined;
  try {
    cachedData = cache ? fs.readFileSync(cache) : undefined;
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${code}\n})`, {
    filename: `${filename}#${name}`,
    cachedData,
  });
  if (cache && (!cachedData || script.cachedDataRejected)) {
    // At exit the cache also holds the functions this run compiled lazily; failing to write it only costs speed.
    process.once('exit', () => {
      try {
        fs.mkdirSync(path.dirname(cache), { recursive: true });
        for (const old of fs.readdirSync(path.dirname(cache)))
          if (old.startsWith(`${name}-`)) fs.rmSync(path.join(path.dirname(cache), old), { force: true });
        fs.writeFileSync(cache, script.createCachedData());
      } catch {
        // read-only home, full disk: run without a cache
      }
    });
  }
  const fn = script.runInThisContext() as (...args: unknown[]) => void;
  const mod = { exports: {} as unknown };
  fn(mod.exports, createRequire(filename), mod, filename, path.dirname(filename));
  return mod.exports;
}
