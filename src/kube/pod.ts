import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { nameOf } from '../plan/meta.ts';
import { chunkSize, eachPage, listJson, namespaced, withRetry, type Kube } from './client.ts';
import { CommandError } from '../errors.ts';
import { orAbsent } from './absent.ts';
import { podNameLabel } from '../plan/ownership.ts';
import { podReady } from '../plan/endpoint.ts';

/**
 * Of a pod the plan reads its name, node and readiness, and nothing else: it is asked for as a row of the API
 * server's Table, as `kubectl get pods` reads pods (≈ 330 bytes a pod where the whole object is ≈ 4 KB: 5 MB for
 * the thousand pods of `status -A` in bench/ANALYSIS.md, P4 and P8), and turned into the slim pod the plan reads.
 */
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

interface PodTable {
  kind?: string;
  columnDefinitions?: { name: string }[];
  rows?: { cells: unknown[] }[];
  metadata?: { continue?: string };
}

/** "2/3" → [2, 3]; anything else (such as <none>) → undefined. */
const fraction = (cell: unknown): [number, number] | undefined => {
  const m = /^(\d+)\/(\d+)$/.exec(String(cell ?? ''));
  return m ? [Number(m[1]), Number(m[2])] : undefined;
};

/**
 * The slim pods of a Table's rows. Ready is the kubelet's condition as the Table shows it: Running, every container
 * ready, and every readiness gate met (a terminating pod shows Terminating, and counts as not ready).
 */
export function podsFromTable(table: PodTable, namespace: string): V1Pod[] {
  const columns = (table.columnDefinitions ?? []).map((c) => c.name);
  const cell = (cells: unknown[], name: string) => {
    const i = columns.indexOf(name);
    return i < 0 ? undefined : cells[i];
  };
  return (table.rows ?? []).map(({ cells }) => {
    const containers = fraction(cell(cells, 'Ready'));
    const gates = cell(cells, 'Readiness Gates');
    const gatesMet = gates === undefined || gates === '<none>' || fraction(gates)?.[0] === fraction(gates)?.[1];
    const ready = cell(cells, 'Status') === 'Running' && !!containers && containers[0] === containers[1] && gatesMet;
    const node = String(cell(cells, 'Node') ?? '<none>');
    return {
      metadata: { name: String(cell(cells, 'Name')), namespace },
      spec: node !== '<none>' ? { nodeName: node, containers: [] } : undefined,
      status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    };
  });
}

/**
 * The slim pod of a whole one (as a watch sends it), with the same fields podsFromTable gives: a terminating pod
 * counts as not ready, as its Table row (Terminating) does.
 */
export function slimPod(pod: V1Pod): V1Pod {
  const ready = !pod.metadata?.deletionTimestamp && podReady(pod);
  const node = pod.spec?.nodeName;
  return {
    metadata: { name: pod.metadata?.name, namespace: pod.metadata?.namespace },
    spec: node ? { nodeName: node, containers: [] } : undefined,
    status: { conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}

/**
 * Table rows are small, so they are read in pages ten times kubectl's --chunk-size: the thousand pods of
 * bench/ANALYSIS.md's P4 in one round trip instead of two.
 */
const rowsPerPage = 10 * chunkSize;

/** The pods of one namespace that carry the pod-name label (StatefulSets' pods), as slim pods from Table pages. */
export function listPodsIn(kube: Kube, namespace: string): Promise<V1Pod[]> {
  const query = { labelSelector: podNameLabel, limit: String(rowsPerPage), includeObject: 'None' };
  return withRetry(kube, `list pods in namespace "${namespace}"`, async () => {
    const pods: V1Pod[] = [];
    const onPage = (page: PodTable) => {
      if (page.kind !== 'Table') throw new CommandError('the API server did not answer list pods with a Table');
      pods.push(...podsFromTable(page, namespace));
    };
    await eachPage(kube, namespaced(namespace, 'pods'), query, onPage, tableAccept);
    return pods;
  });
}

/**
 * StatefulSets' pods in the namespace, by name. Selected by the label each per-pod Service selects on, not by the
 * StatefulSet's own selector, so the LIST needs nothing from the StatefulSet and goes out with its GET.
 */
export async function listPods(kube: Kube): Promise<Map<string, V1Pod>> {
  const pods = await listPodsIn(kube, kube.namespace);
  return new Map(pods.map((p) => [nameOf(p), p]));
}

/**
 * Nodes by name, for NodePort endpoints and -o wide. Nodes are cluster-scoped and many users may not list them:
 * then the endpoint shows <none>, with a warning, rather than failing the command.
 */
export async function listNodes(kube: Kube): Promise<Map<string, V1Node>> {
  const list = withRetry(kube, 'list nodes', () => listJson<V1Node>(kube, '/api/v1/nodes', {}));
  return orAbsent(
    list.then((l) => new Map(l.items.map((n) => [nameOf(n), n]))),
    [403],
    () => {
      kube.log(0, 'warning: cannot list nodes, so NodePort endpoints show no node address');
      return new Map<string, V1Node>();
    },
  );
}
