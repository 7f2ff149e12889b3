import { describe, expect, it } from 'vitest';
import { completions, Directive, type Lookups, parseCompletion } from '../../../src/cli/tab-completion.ts';

const seen: string[] = [];
const lookups: Lookups = {
  statefulSets: async (conn) => {
    seen.push(`sts in ${conn.namespace ?? '(context)'}`);
    return ['mongo', 'mydb'];
  },
  namespaces: async () => ['data', 'default'],
  contexts: async () => {
    throw new Error('no kubeconfig');
  },
  gateways: async (conn) => {
    seen.push(`gateways in ${conn.namespace ?? '(context)'}`);
    return ['edge', 'internal'];
  },
  gatewayClasses: async () => ['eg', 'traefik'],
};
const complete = (...args: string[]) => completions(parseCompletion(args), lookups);

describe('shell completion', () => {
  it('offers subcommands and the StatefulSets of the namespace typed so far', async () => {
    seen.length = 0;
    expect(await complete('-n', 'data', '')).toEqual({
      lines: [
        'status\tShow what is exposed, where it answers, and what has drifted',
        'prune\tDelete managed Services that no longer match a pod',
        'completion\tHow to install shell completion for this plugin',
        'options\tPrint the list of flags inherited by all commands',
        'mongo\tStatefulSet',
        'mydb\tStatefulSet',
      ],
      directive: Directive.NoFileComp,
    });
    expect(seen).toEqual(['sts in data']);
    expect((await complete('status', 'm')).lines).toEqual(['mongo\tStatefulSet', 'mydb\tStatefulSet']);
    expect((await complete('mydb', '')).lines).toEqual([]); // the StatefulSet is named already
    expect((await complete('completion', '')).lines).toEqual([]);
  });
  it('offers a flag’s values, after a space or an =, from its definition or a lookup', async () => {
    expect((await complete('mydb', '--type', '')).lines).toEqual(['ClusterIP', 'NodePort', 'LoadBalancer']);
    expect((await complete('mydb', '--external-traffic-policy=')).lines).toEqual([
      '--external-traffic-policy=Local',
      '--external-traffic-policy=Cluster',
    ]);
    expect((await complete('mydb', '-o', 'y')).lines).toEqual(['yaml']);
    expect((await complete('status', '-o', '')).lines).toEqual(['wide', 'json', 'yaml', 'endpoints']);
    expect((await complete('-n', 'd')).lines).toEqual(['data', 'default']);
    expect(await complete('--kubeconfig', '')).toEqual({ lines: [], directive: Directive.Default }); // the shell's file names
  });
  it('offers the Gateways of --gateway-namespace (or of the namespace), the GatewayClasses, and namespaces', async () => {
    seen.length = 0;
    expect((await complete('kafka', '-n', 'data', '--gateway', '')).lines).toEqual(['edge', 'internal']);
    expect((await complete('kafka', '-n', 'data', '--gateway-namespace', 'infra', '--gateway=e')).lines).toEqual([
      '--gateway=edge',
    ]);
    expect(seen).toEqual(['gateways in data', 'gateways in infra']);
    expect((await complete('kafka', '--gateway-class', 't')).lines).toEqual(['traefik']);
    expect((await complete('kafka', '--gateway-namespace', '')).lines).toEqual(['data', 'default']);
  });
  it('a lookup that fails offers nothing rather than an error in the user’s shell', async () => {
    expect(await complete('--context', '')).toEqual({ lines: [], directive: Directive.NoFileComp });
    expect((await complete('-v', 'loud', '')).lines.some((l) => l.endsWith('StatefulSet'))).toBe(false); // invalid connection flags: no lookup
  });
  it('offers the command’s own flags and the connection flags, with their descriptions', async () => {
    expect((await complete('status', '--ex')).lines).toEqual([
      '--exit-code\tExit 1 when anything is not Ready, or a published ConfigMap is stale (for scripts and CI)',
    ]);
    expect((await complete('prune', '-A')).lines).toEqual([
      '-A\tIf present, look in all namespaces. Namespace in current context is ignored even if specified with --namespace.',
    ]);
    const flags = (await complete('mydb', '--')).lines.map((l) => l.split('\t')[0]);
    expect(flags).toContain('--load-balancer-source-ranges');
    expect(flags).toContain('--namespace');
    expect(flags).not.toContain('--exit-code');
  });
  it('reads booleans as taking no value, and words after -- as arguments', async () => {
    expect((await complete('--adopt', '')).lines).toContain('mydb\tStatefulSet');
    expect((await complete('--', '')).lines).toContain(
      'status\tShow what is exposed, where it answers, and what has drifted',
    );
  });
});
