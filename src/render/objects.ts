// -o json|yaml|name for the objects expose writes (its Services, and the ConfigMap of --publish-configmap), as kubectl
// prints them: a v1 List for json/yaml (which `kubectl apply -f -` takes), `service/<name>` lines for name.
import type { V1ConfigMap, V1Service } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import type { DryRun, OutputFormat } from '../plan/expose-options.ts';
import type { GatewayObject } from '../plan/gateway.ts';
import type { RouteObject } from '../plan/route.ts';
import { nameOf } from '../plan/meta.ts';

export type Written = V1Service | V1ConfigMap | RouteObject | GatewayObject;

function asList(items: Written[]) {
  return { apiVersion: 'v1', kind: 'List', items: items.map(clean), metadata: { resourceVersion: '' } };
}

/** Drops server bookkeeping that makes a manifest noisy and that apply refuses to take back (managedFields). */
function clean(obj: Written): Written {
  const { managedFields: _managedFields, ...metadata } = obj.metadata ?? {};
  return { apiVersion: 'v1', kind: 'Service', ...obj, metadata };
}

/**
 * `service/<name>`, `configmap/<name>`, `tlsroute.gateway.networking.k8s.io/<name>`: how kubectl names an object in
 * its output (a kind of an API group with its group).
 */
export const objectRef = (o: Written): string => {
  const group = o.apiVersion?.includes('/') ? `.${o.apiVersion.split('/')[0]}` : '';
  return `${(o.kind ?? 'Service').toLowerCase()}${group}/${nameOf(o)}`;
};

export function formatObjects(items: Written[], format: 'json' | 'yaml' | 'name'): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(asList(items), null, 4)}\n`;
    case 'yaml':
      return stringify(asList(items));
    case 'name':
      return items.map((o) => `${objectRef(o)}\n`).join('');
  }
}

/** The -o values that print the objects themselves; undefined for the table's and -o endpoints'. */
export const objectFormat = (output: OutputFormat) =>
  output === 'json' || output === 'yaml' || output === 'name' ? output : undefined;

/** Whether an expose run ends with the table (or -o endpoints' line), which shows pods and nodes. */
export const printsTable = (opts: { output: OutputFormat; dryRun: DryRun }) =>
  !objectFormat(opts.output) && opts.dryRun === 'none';
