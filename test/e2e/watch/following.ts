// A `kubectl expose-sts … --watch` left running while a test changes the cluster (process.ts follows it), started as
// a user starts it: through the pinned kubectl, with the run's cluster.
import { inject } from 'vitest';
import type { ClusterInfo } from '../../cluster/cluster.ts';
import { pluginBinDir } from '../helpers.ts';
import { type Following, followProcess } from './process.ts';

export type { Following, Stopped } from './process.ts';

/**
 * `kubectl expose-sts ARGS`, or with `command` the plugin started as that says (the binary itself, as in a pod).
 */
export function follow(
  args: string[],
  opts: { cluster?: ClusterInfo; kubeconfig?: string; env?: NodeJS.ProcessEnv; command?: string[] } = {},
): Following {
  const cluster = opts.cluster ?? inject('cluster');
  const [cmd, ...before] = opts.command ?? [`${cluster.binDir}/kubectl`, 'expose-sts'];
  return followProcess(cmd, [...before, ...args], {
    PATH: `${pluginBinDir}:${cluster.binDir}:/usr/bin:/bin`,
    HOME: process.env.HOME,
    KUBECONFIG: opts.kubeconfig ?? cluster.kubeconfig,
    ...opts.env,
  });
}
