// expose, step 7: what the run prints. A dry run prints the objects (-o json|yaml|name) or kubectl apply's
// `kind/name verb (dry run)` lines; a real run the table, -o endpoints' line or the objects, then what kept it from
// finishing: a load balancer's refusal, or the time-out with its likely cause.
import type { ActionKind } from '../../plan/diff.ts';
import type { ExposeOptions } from '../../plan/expose-options.ts';
import type { Exposure } from '../../plan/exposure.ts';
import { reasonLine } from '../../plan/warnings.ts';
import { formatObjects, objectFormat, objectRef, type Written } from '../../render/objects.ts';
import { endpointsLine, layExposeTable } from '../../render/tables.ts';
import type { IO } from '../io.ts';
import type { Waited } from './wait.ts';

/** kubectl apply's words for what each action does. */
export const verbs: Record<ActionKind, string> = {
  create: 'created',
  update: 'configured',
  unchanged: 'unchanged',
  adopt: 'configured',
};

/** What a dry run prints: the objects (-o json|yaml|name), or each one's `kind/name verb (dry run)`, as kubectl apply. */
export function printObjects(io: IO, objects: { object: Written; verb: string }[], opts: ExposeOptions): void {
  const format = objectFormat(opts.output);
  if (format) {
    io.out(
      formatObjects(
        objects.map((o) => o.object),
        format,
      ),
    );
    return;
  }
  const suffix = opts.dryRun === 'client' ? ' (dry run)' : opts.dryRun === 'server' ? ' (server dry run)' : '';
  io.out(objects.map((o) => `${objectRef(o.object)} ${o.verb}${suffix}\n`).join(''));
}

/** The run's result: the objects, the endpoints line or the table; for the table, how to print a row later. */
export function printResult(
  io: IO,
  opts: ExposeOptions,
  objects: Written[],
  rows: Exposure[],
): { row?: (r: Exposure) => string } {
  const format = objectFormat(opts.output);
  if (format) io.out(formatObjects(objects, format));
  else if (opts.output === 'endpoints') {
    const { line, missing } = endpointsLine(rows, opts.endpointPort);
    if (missing.length) io.err(`warning: no endpoint yet for ${missing.join(', ')}\n`);
    io.out(line);
  } else {
    const laid = layExposeTable(rows, { wide: opts.output === 'wide', endpointPort: opts.endpointPort });
    io.out(laid.text);
    return laid;
  }
  return {};
}

const pendingHint = (classes: string | undefined, service: string, namespace: string) =>
  'likely causes: no load-balancer controller in this cluster (minikube, kind without cloud-provider-kind, bare metal without MetalLB), ' +
  'an exhausted load-balancer quota' +
  (classes
    ? `, or no controller serving --load-balancer-class ${classes}`
    : ', or a load-balancer class nobody serves') +
  `; kubectl describe service ${service} -n ${namespace} shows the events of the cloud controller`;

/**
 * What kept the wait from ending well, as one error line, and the exit code. `unconfirmed`: each Service without a
 * confirmed address, and why; `configMap`: the one left unwritten.
 */
export function reportWait(
  io: IO,
  waited: Waited,
  unconfirmed: Map<string, string>,
  run: { opts: ExposeOptions; namespace: string; total: number; configMap?: string },
): number {
  if (waited.refused) {
    const unwritten = run.configMap ? `, and configmap/${run.configMap} is not written` : '';
    io.err(`error: ${waited.refused}; the unconfirmed addresses are not printed${unwritten}\n`);
    return 1;
  }
  if (!waited.timedOut) return 0;
  const pending = [...unconfirmed.keys()];
  // What the load balancer said of them, where it said something; what it shows instead; or the usual causes.
  const shown = [...unconfirmed].filter(([, text]) => !text.startsWith('no load-balancer address'));
  const cause = waited.reasons.length
    ? waited.reasons.map(reasonLine).join('; ')
    : shown.length
      ? shown.map(([name, text]) => `${name}: ${text}`).join('; ')
      : pendingHint(run.opts.loadBalancerClass, pending[0], run.namespace);
  io.err(
    `error: timed out after ${run.opts.timeoutMs / 1000} s waiting for load-balancer addresses of ${pending.length} of ${run.total} services ` +
      `(${pending.slice(0, 5).join(', ')}${pending.length > 5 ? ', …' : ''}); ${cause}\n`,
  );
  return 1;
}
