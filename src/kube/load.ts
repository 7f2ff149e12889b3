// Loads the kube layer only when a command talks to the cluster, so --help and usage errors never compile it or
// load Node's HTTP and TLS modules (docs/single-binary.md).
import { bundled, loadPart } from '../part.ts';
import type * as KubeModule from './index.ts';

export type KubeLayer = typeof KubeModule;

let loaded: Promise<KubeLayer> | undefined;

export function loadKube(): Promise<KubeLayer> {
  loaded ??= bundled ? Promise.resolve(loadPart('kube.cjs') as KubeLayer) : import('./index.ts');
  return loaded;
}
