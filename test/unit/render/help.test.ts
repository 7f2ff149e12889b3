import { describe, expect, it } from 'vitest';
import { subcommands } from '../../../src/cli/commands.ts';
import { exposeCommand } from '../../../src/cli/expose.ts';
import { statusCommand } from '../../../src/cli/status.ts';
import { flagUsages, helpText, wordWrap } from '../../../src/render/help.ts';
import { wrapLimit } from '../../../src/render/wrap.ts';

describe('help in kubectl’s layout', () => {
  const help = helpText(exposeCommand, subcommands, 0);
  const sections = help.split('\n\n').map((s) => s.split('\n')[0]);

  it('has kubectl’s sections in kubectl’s order', () => {
    expect(help.startsWith('Expose each pod of a StatefulSet through a Service of its own.\n\n ')).toBe(true);
    const order = ['Examples:', 'Available Commands:', 'Options:', 'Usage:'].map((s) => sections.indexOf(s));
    expect(order.every((i, n) => i > 0 && (n === 0 || i > order[n - 1]))).toBe(true);
    expect(help).toContain('Usage:\n  kubectl expose-sts STATEFULSET [options]\n\n');
    expect(
      help.endsWith(
        'Use "kubectl expose-sts <command> --help" for more information about a given command.\n' +
          'Use "kubectl expose-sts options" for a list of global command-line options (applies to all commands).\n',
      ),
    ).toBe(true);
  });
  it('shows each example as a # comment line, then the whole command on its own line, never broken', () => {
    expect(help).toContain(
      'Examples:\n  # Give every pod of StatefulSet mydb its own load balancer and wait for the addresses\n  kubectl expose-sts mydb --type LoadBalancer\n  \n',
    );
    const wrapped = helpText(exposeCommand, subcommands, 80);
    expect(wrapped).toContain(
      '\n  kubectl expose-sts mydb --type LoadBalancer --annotations service.beta.kubernetes.io/aws-load-balancer-internal=true\n',
    );
  });
  it('lists only the command’s own flags, sorted, as --flag=default: with the description beneath; connection flags are in options', () => {
    const options = help.slice(help.indexOf('Options:\n'), help.indexOf('\n\nUsage:'));
    expect(options).toContain('\n    --dry-run=\'none\':\n\tMust be "none", "server", or "client".');
    expect(options).toContain("\n    -o, --output='':\n");
    expect(options).toContain('\n    --port=[]:\n');
    expect(options).toContain('\n    --owner-reference=true:\n');
    expect(options).not.toContain('--namespace');
    const names = [...options.matchAll(/--([a-z-]+)=/g)].map((m) => m[1]);
    expect(names).toEqual([...names].sort());
  });
  it('lists the subcommands like cobra, only for the command itself', () => {
    expect(help).toContain(
      'Available Commands:\n  completion    How to install shell completion for this plugin\n  options       Print the list of flags inherited by all commands\n',
    );
    const status = helpText(statusCommand, [], 0);
    expect(status).not.toContain('Available Commands:');
    expect(status).toContain(
      'Usage:\n  kubectl expose-sts status [STATEFULSET] [options]\n\nUse "kubectl expose-sts options"',
    );
  });
  it('says how to reach a StatefulSet named like a command', () => {
    expect(help).toContain('kubectl expose-sts --type NodePort -- status');
  });
  it('wraps at spaces only, at the width kubectl picks for the terminal, and not at all elsewhere', () => {
    expect([undefined, 79, 80, 119, 120, 300].map(wrapLimit)).toEqual([0, 0, 80, 100, 120, 120]);
    expect(wordWrap('aaa bbb ccc', 7)).toBe('aaa bbb\nccc');
    expect(wordWrap(' lead word-longer-than-the-limit x', 10)).toBe(' lead\nword-longer-than-the-limit\nx');
    expect(wordWrap('no limit at all', 0)).toBe('no limit at all');
    // A flag's description: tab-indented, and wrapped 10 columns narrower, as kubectl's flag printer does.
    const flags = flagUsages(
      { type: { type: 'string', default: 'ClusterIP', describe: 'one two three four five six seven' } },
      30,
    );
    expect(flags).toBe("    --type='ClusterIP':\n\tone two three four\n\tfive six seven\n\n");
  });
});
