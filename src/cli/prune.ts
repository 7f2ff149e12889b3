// kubectl expose-sts prune [STATEFULSET]: deletes managed Services whose pod is gone (Orphaned), or with --all every
// managed Service of one StatefulSet. Never anything without the managed-by label.
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { Api } from '../kube/api.ts';
import { type PruneOptions, pruneFlags, validatePruneFlags } from '../options/prune.ts';
import { assess } from '../plan/drift.ts';
import type { ClusterCommand } from './command.ts';
import type { IO } from './io.ts';
import type { GatewayKind } from '../kube/gateway.ts';
import type { GatewayObject } from '../plan/gateway.ts';
import { idleOwnGateways, type RouteObject } from '../plan/route.ts';
import { nameOf, namespaceOf, uidOf } from '../plan/meta.ts';
import { objectRef } from '../render/objects.ts';

export const pruneCommand: ClusterCommand<typeof pruneFlags, PruneOptions> = {
  name: 'prune',
  summary: 'Delete managed Services that no longer match a pod',
  description: [
    'Delete managed Services that no longer match a pod.',
    ' Deletes the Services that status calls Orphaned (their ordinal is out of range, or their StatefulSet is gone or was recreated), or with --all every managed Service of the named StatefulSet. Each deletion is conditional on the uid that was listed, so a Service recreated in between is left alone. A Service without the label app.kubernetes.io/managed-by=kubectl-expose-sts is never deleted.',
  ],
  usage: '[STATEFULSET]',
  statefulSetArg: true,
  examples: [
    ['Delete the Services of ordinals that no longer exist (after a scale-down)', 'kubectl expose-sts prune'],
    ['Un-expose mydb: delete all its Services', 'kubectl expose-sts prune mydb --all'],
    ['Show what would be deleted everywhere', 'kubectl expose-sts prune -A --dry-run=client'],
  ],
  flags: pruneFlags,
  validate: validatePruneFlags,
  connects: true,
  run: runPrune,
};

async function runPrune(opts: PruneOptions, api: Api, io: IO): Promise<number> {
  const inventory = await api.readInventory(opts);
  const rows = assess(inventory, opts);
  // assess reads only Services with the managed-by label: nothing else is ever a target.
  const targets = rows.flatMap((r) =>
    r.service && (opts.all || r.state === 'Orphaned') ? [{ ...r.service, namespace: r.namespace }] : [],
  );
  // ConfigMaps expose-sts published: with --all every one of the StatefulSet's; otherwise those no Service that stays
  // publishes to (a run without --publish-configmap left it). Without the permission to list them, --all warns.
  const staying = rows.filter((r) => r.service && !targets.some((t) => t.uid === r.service?.uid));
  if (inventory.configMapsForbidden && opts.all && rows.some((r) => r.service?.configMap))
    io.err(`warning: ${inventory.configMapsForbidden}, so the published ConfigMap is not deleted\n`);
  const configMaps = inventory.configMaps.filter(
    (cm) =>
      opts.all ||
      !staying.some((r) => r.namespace === cm.metadata?.namespace && r.service?.configMap === cm.metadata?.name),
  );
  // The Gateway mode: each pruned Service's route, and the StatefulSet's own Gateway with --all, or once no route that
  // stays attaches to it (the members were moved to another Gateway, or all of them are pruned).
  const routes = inventory.routes ?? [];
  const pruned = routes.filter((r) => targets.some((t) => t.namespace === namespaceOf(r) && t.name === nameOf(r)));
  const stay = opts.all ? [] : inventory.routes?.filter((r) => !pruned.includes(r));
  const ownGateways = idleOwnGateways(inventory.gateways ?? [], stay, opts.statefulSet);
  const gatewayObjects = [...pruned, ...ownGateways];
  if (targets.length === 0 && configMaps.length === 0 && gatewayObjects.length === 0) {
    io.err(`Nothing to prune${opts.allNamespaces ? '' : ` in ${api.namespace} namespace`}.\n`);
    return 0;
  }
  const suffix = opts.dryRun === 'client' ? ' (dry run)' : opts.dryRun === 'server' ? ' (server dry run)' : '';
  const total = targets.length + gatewayObjects.length + configMaps.length;
  const progress = { done: 0, sent: false };
  const run: PruneRun = {
    opts,
    io,
    deleted: (ref) => {
      progress.done++;
      io.out(opts.output === 'name' ? `${ref}\n` : `${ref} deleted${suffix}\n`);
    },
    sending: async (deletion) => {
      progress.sent = true;
      try {
        return await deletion;
      } finally {
        progress.sent = false;
      }
    },
  };
  // Each deletion is printed as it happens, so the lines above the interruption are what was done; the count covers
  // the routes, Gateways and ConfigMaps deleted after the Services.
  const noun = total === targets.length ? 'services' : 'objects';
  io.onInterrupt?.(
    () =>
      `${progress.done} of ${total} ${noun} were deleted${progress.sent ? '; one more was sent and may have been deleted' : ''}; run the same command again to finish`,
  );
  for (const { name, uid, namespace } of targets) {
    if (opts.dryRun !== 'client') {
      const result = await run.sending(api.deleteService(namespace, name, uid, opts.dryRun === 'server'));
      if (result === 'replaced') {
        io.err(replaced(`service/${name}`, namespace));
        continue;
      }
    }
    run.deleted(`service/${name}`);
  }
  await deleteGatewayObjects(api, gatewayObjects, run);
  await deleteConfigMaps(api, configMaps, run);
  return 0;
}

/** What every deletion needs: the options, how a deletion is printed (and counted), and how one in flight is. */
interface PruneRun {
  opts: PruneOptions;
  io: IO;
  deleted: (ref: string) => void;
  sending: <T>(deletion: Promise<T>) => Promise<T>;
}

/** An object recreated between the LIST and its deletion (another uid) is someone else's now. */
const replaced = (ref: string, namespace: string) =>
  `warning: ${ref} in namespace ${namespace} was replaced after it was listed; left alone\n`;

/** Deletes routes and Gateways as Services are deleted: each only if it is still the one listed (same uid). */
async function deleteGatewayObjects(api: Api, objects: (GatewayObject | RouteObject)[], run: PruneRun): Promise<void> {
  const { opts, io, deleted } = run;
  for (const o of objects) {
    if (opts.dryRun !== 'client') {
      const [, version] = (o.apiVersion ?? '').split('/');
      const at = { kind: o.kind as GatewayKind, version, namespace: namespaceOf(o), name: nameOf(o), uid: uidOf(o) };
      if ((await run.sending(api.deleteGatewayObject(at, opts.dryRun === 'server'))) === 'replaced') {
        io.err(replaced(objectRef(o), at.namespace));
        continue;
      }
    }
    deleted(objectRef(o));
  }
}

/** Deletes the published ConfigMaps, each only if it is still the one listed. */
async function deleteConfigMaps(api: Api, configMaps: V1ConfigMap[], run: PruneRun): Promise<void> {
  const { opts, io, deleted } = run;
  for (const cm of configMaps) {
    const name = cm.metadata?.name ?? '';
    if (opts.dryRun !== 'client') {
      const namespace = cm.metadata?.namespace ?? api.namespace;
      const result = await run.sending(
        api.deleteConfigMap(namespace, name, cm.metadata?.uid ?? '', opts.dryRun === 'server'),
      );
      if (result === 'replaced') {
        io.err(replaced(`configmap/${name}`, namespace));
        continue;
      }
    }
    deleted(`configmap/${name}`);
  }
}
