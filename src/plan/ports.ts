// The Service ports of a per-pod Service: the pod template's container ports, or the ones asked for with --port.
import type { V1ContainerPort, V1ServicePort, V1StatefulSet } from '@kubernetes/client-node';
import type { PortSpec } from '../options/expose.ts';

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

export function servicePorts(sts: V1StatefulSet, specs: PortSpec[]): V1ServicePort[] | string {
  const declared = containerPorts(sts);
  const stsName = sts.metadata?.name;
  if (specs.length === 0) {
    if (declared.length === 0) {
      return `statefulset ${stsName} declares no container ports: say which to expose with --port PORT[:TARGET]`;
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
    return (
      `target port "${unknown.targetPort}" is not a named container port of statefulset ${stsName}` +
      (names.length ? ` (its named ports: ${names.join(', ')})` : ' (it has no named ports): use a port number')
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
