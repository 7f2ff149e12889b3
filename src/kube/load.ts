// Loads the kube layer only when a command talks to the cluster: client-node defines every model and API class at
// load time, which would otherwise slow down --help and every usage error (../shared/single-binary-notes.md).
import { bundled, loadPart } from '../part.ts';
import type * as KubeModule from './index.ts';

export type KubeLayer = typeof KubeModule;

let loaded: Promise<KubeLayer> | undefined;

export function loadKube(): Promise<KubeLayer> {
  loaded ??= bundled ? Promise.resolve(loadPart('kube.cjs') as KubeLayer) : import('./index.ts');
  return loaded;
}
