// -o json|yaml|name for Services, as kubectl prints them: a v1 List for json/yaml (which `kubectl apply -f -` takes),
// `service/<name>` lines for name.
import type { V1Service } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { nameOf } from '../plan/meta.ts';

function asList(items: V1Service[]) {
  return { apiVersion: 'v1', kind: 'List', items: items.map(clean), metadata: { resourceVersion: '' } };
}

/** Drops server bookkeeping that makes a manifest noisy and that apply refuses to take back (managedFields). */
function clean(svc: V1Service): V1Service {
  const { managedFields: _managedFields, ...metadata } = svc.metadata ?? {};
  return { apiVersion: 'v1', kind: 'Service', ...svc, metadata };
}

export function formatObjects(items: V1Service[], format: 'json' | 'yaml' | 'name'): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(asList(items), null, 4)}\n`;
    case 'yaml':
      return stringify(asList(items));
    case 'name':
      return items.map((s) => `service/${nameOf(s)}\n`).join('');
  }
}
