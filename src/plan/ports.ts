// The Service ports of a per-pod Service: the pod template's container ports, or the ones asked for with --port.
import { CommandError } from '../errors.ts';
import type { V1ContainerPort, V1ServicePort, V1StatefulSet } from '@kubernetes/client-node';
import type { NodePortSpec, PortSpec } from './expose-options.ts';

/**
 * Ports of the containers, including native sidecars (init containers that keep running); not of plain init containers.
 */
function containerPorts(sts: V1StatefulSet): V1ContainerPort[] {
  const spec = sts.spec?.template?.spec;
  const sidecars = (spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  const all = [...(spec?.containers ?? []), ...sidecars].flatMap((c) => c.ports ?? []);
  // The same port declared twice (two containers documenting one listener) would be an invalid Service.
  return all.filter(
    (p, i) =>
      all.findIndex((q) => q.containerPort === p.containerPort && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP')) ===
      i,
  );
}

export function servicePorts(sts: V1StatefulSet, specs: PortSpec[]): V1ServicePort[] | CommandError {
  const declared = containerPorts(sts);
  const stsName = sts.metadata?.name;
  if (specs.length === 0) {
    if (declared.length === 0) {
      return new CommandError(
        `statefulset ${stsName} declares no container ports: say which to expose with --port PORT[:TARGET]`,
      );
    }
    return declared.map((p, i) => ({
      name: p.name ?? (declared.length > 1 ? `port-${i + 1}` : undefined),
      port: p.containerPort,
      targetPort: p.name ?? p.containerPort,
      protocol: p.protocol ?? 'TCP',
    }));
  }
  const names = declared.map((p) => p.name).filter((n): n is string => !!n);
  const unknown = specs.find((s) => typeof s.targetPort === 'string' && !names.includes(s.targetPort));
  if (unknown) {
    return new CommandError(
      `target port "${unknown.targetPort}" is not a named container port of statefulset ${stsName}` +
        (names.length ? ` (its named ports: ${names.join(', ')})` : ' (it has no named ports): use a port number'),
    );
  }
  const targetNames = specs.map((s) => s.targetPort).filter((t) => typeof t === 'string');
  return specs.map((s) => ({
    name:
      specs.length === 1
        ? typeof s.targetPort === 'string'
          ? s.targetPort
          : undefined
        : typeof s.targetPort === 'string' &&
            targetNames.indexOf(s.targetPort) === targetNames.lastIndexOf(s.targetPort)
          ? s.targetPort
          : `port-${s.port}`,
    port: s.port,
    targetPort: s.targetPort,
    protocol: s.protocol,
  }));
}

/**
 * Each ordinal's ports with the node ports --node-port asks for (by position among the ordinals), or what is wrong:
 * a port name that is not the Service's, or a list too short.
 */
export function withNodePorts(
  ports: V1ServicePort[],
  specs: NodePortSpec[],
  count: number,
  /** The members' ordinals, for messages; default: counted from 0. */
  ordinals: number[] = Array.from({ length: count }, (_, i) => i),
): V1ServicePort[][] | CommandError {
  const targets: number[] = [];
  for (const spec of specs) {
    const names = ports.map((p) => p.name ?? String(p.port)).join(', ');
    const i =
      spec.port === undefined
        ? ports.length === 1
          ? 0
          : -1
        : ports.findIndex((p) => p.name === spec.port || String(p.port) === spec.port);
    if (i < 0) {
      return new CommandError(
        spec.port === undefined
          ? `--node-port needs PORT= to say which of the Service's ports it is for (${names})`
          : `--node-port ${spec.port}=…: the Services have no port ${spec.port} (their ports: ${names})`,
      );
    }
    if (spec.list && spec.list.length < count) {
      return new CommandError(
        `--node-port ${spec.port ? `${spec.port}=` : ''}${spec.list.join(',')}: ${spec.list.length} node ports for ${count} ordinals: add ${count - spec.list.length} more`,
      );
    }
    targets.push(i);
  }
  const out = Array.from({ length: count }, (_, index) =>
    ports.map((p, i) => {
      const spec = specs[targets.indexOf(i)];
      if (!spec) return p;
      return { ...p, nodePort: spec.list ? spec.list[index] : (spec.base ?? 0) + index };
    }),
  );
  // A node port is the cluster's, one Service's: the API server takes the first and refuses the second mid-run.
  const owner = new Map<number, number>();
  for (const [index, memberPorts] of out.entries()) {
    for (const p of memberPorts) {
      if (p.nodePort === undefined) continue;
      if (p.nodePort > 65535)
        return new CommandError(
          `--node-port: ordinal ${ordinals[index]} would get node port ${p.nodePort}, past 65535: give a lower base`,
        );
      const other = owner.get(p.nodePort);
      if (other !== undefined)
        return new CommandError(
          `--node-port: node port ${p.nodePort} is asked for twice (${other === index ? `two ports of ordinal ${ordinals[index]}` : `ordinals ${ordinals[other]} and ${ordinals[index]}`}): each needs its own`,
        );
      owner.set(p.nodePort, index);
    }
  }
  return out;
}

/**
 * One address for every ordinal: ordinal i (by position) answers on each port + i, so the first keeps the container's
 * port; the target stays the container's. Or what is wrong: two ordinals that would answer on the same port.
 */
export function sharedPorts(
  perOrdinal: V1ServicePort[][],
  at: { ordinal: number }[],
): V1ServicePort[][] | CommandError {
  const moved = perOrdinal.map((ports, index) => ports.map((p) => ({ ...p, port: p.port + index })));
  const seen = new Map<string, number>();
  for (const [index, ports] of moved.entries()) {
    for (const p of ports) {
      if (p.port > 65535)
        return new CommandError(
          `--shared-address: ordinal ${at[index].ordinal} would answer on port ${p.port} (${p.port - index} + ${index}), ` +
            'past 65535: expose a lower port with --port',
        );
      const key = `${p.port}/${p.protocol ?? 'TCP'}`;
      const other = seen.get(key);
      if (other !== undefined) {
        return new CommandError(
          `--shared-address: ordinals ${at[other].ordinal} and ${at[index].ordinal} would both answer on port ${key} ` +
            '(their ports are too close together for this many members): expose ports further apart with --port',
        );
      }
      seen.set(key, index);
    }
  }
  return moved;
}
