// Where kubectl looks for its kubeconfig when neither --kubeconfig nor KUBECONFIG names one: ~/.kube/config, with
// "~" found as client-go's homedir.HomeDir finds it. On Windows that is the first of %HOME%, %HOMEDRIVE%%HOMEPATH%
// and %USERPROFILE% holding a .kube\config; elsewhere $HOME alone (unset, the path is relative, as kubectl's is).
import { existsSync } from 'node:fs';
import { join, win32 } from 'node:path';

export function homeKubeconfig(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): string | undefined {
  if (platform !== 'win32') {
    const file = join(env.HOME ?? '', '.kube', 'config');
    return exists(file) ? file : undefined;
  }
  const driveAndPath = env.HOMEDRIVE && env.HOMEPATH ? env.HOMEDRIVE + env.HOMEPATH : undefined;
  for (const home of [env.HOME, driveAndPath, env.USERPROFILE]) {
    if (!home) continue;
    const file = win32.join(home, '.kube', 'config');
    if (exists(file)) return file;
  }
  return undefined;
}
