// Loads the kube layer only when a command talks to the cluster. In the single binary it is a separate bundle kept
// as a SEA asset and compiled on first use: client-node defines every model and API class at load time, which
// would otherwise slow down --help and every usage error (../shared/single-binary-notes.md).
import type * as KubeModule from './index.ts';

declare const EXPOSE_STS_BUNDLED: boolean | undefined; // set by the build (esbuild define)

export type KubeLayer = typeof KubeModule;

let loaded: Promise<KubeLayer> | undefined;

export function loadKube(): Promise<KubeLayer> {
  loaded ??= typeof EXPOSE_STS_BUNDLED !== 'undefined' ? Promise.resolve(loadBundledPart('kube.cjs') as KubeLayer) : import('./index.ts');
  return loaded;
}

function loadBundledPart(name: string): unknown {
  const sea = process.getBuiltinModule('node:sea');
  const fs = process.getBuiltinModule('node:fs');
  const path = process.getBuiltinModule('node:path');
  const vm = process.getBuiltinModule('node:vm');
  const { createRequire } = process.getBuiltinModule('node:module');
  const inSea = sea.isSea();
  const filename = inSea ? process.execPath : path.join(__dirname, name);
  const code = inSea ? sea.getAsset(name, 'utf8') : fs.readFileSync(filename, 'utf8');
  const fn = vm.compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: `${filename}#${name}` });
  const mod = { exports: {} as unknown };
  fn(mod.exports, createRequire(filename), mod, filename, path.dirname(filename));
  return mod.exports;
}
