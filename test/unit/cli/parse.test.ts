import { describe, expect, it } from 'vitest';
import { parse } from '../../../src/cli/parse.ts';

const of = (...argv: string[]) => parse(argv, { strict: true });

describe('parse', () => {
  it('picks the command, fills in the defaults from the flag definitions, and reads connection flags apart', () => {
    const p = of('mydb', '-n', 'data', '--type', 'LoadBalancer');
    expect(p.command.name).toBe('');
    expect(p.input).toMatchObject({
      statefulSet: 'mydb',
      type: 'LoadBalancer',
      protocol: 'TCP',
      timeout: '5m',
      dryRun: 'none',
      adopt: false,
      ownerReference: true,
    });
    expect(p.input.wait).toBeUndefined(); // its default depends on --type: validation decides
    expect(p.connection).toMatchObject({
      namespace: 'data',
      v: '0',
      requestTimeout: '0',
      insecureSkipTlsVerify: false,
    });
    expect(of('status', '-A').command.name).toBe('status');
    expect(of('-n', 'x', 'prune', 'db').input).toMatchObject({ statefulSet: 'db', all: false });
  });
  it('a bare --dry-run means client, for expose and prune alike, as in kubectl', () => {
    expect(of('mydb', '--dry-run').input.dryRun).toBe('client');
    expect(of('prune', '--dry-run').input.dryRun).toBe('client');
    expect(of('prune', '--dry-run=server').input.dryRun).toBe('server');
  });
  it('keeps every value of a repeatable flag and the last of any other, as kubectl', () => {
    const p = of(
      'mydb',
      '--port',
      '5432',
      '--port',
      '9187',
      '--type',
      'NodePort',
      '--type',
      'LoadBalancer',
      '-l',
      'a=b',
      '-l',
      'c=d',
    );
    expect(p.input).toMatchObject({ port: ['5432', '9187'], type: 'LoadBalancer', labels: ['a=b', 'c=d'] });
    expect(of('mydb', '--as', 'jane', '--as-group', 'a', '--as-group', 'b').connection.asGroup).toEqual(['a', 'b']);
    expect(of('mydb', '--no-adopt', '--owner-reference=false').input).toMatchObject({
      adopt: false,
      ownerReference: false,
    });
  });
  it('after --, a word is a StatefulSet name, never a command', () => {
    expect(of('--', 'status')).toMatchObject({ command: { name: '' }, input: { statefulSet: 'status' } });
    expect(of('--type', 'NodePort', '--', 'prune').input).toMatchObject({ statefulSet: 'prune', type: 'NodePort' });
    expect(of('status', '--', 'prune')).toMatchObject({ command: { name: 'status' }, input: { statefulSet: 'prune' } });
    expect(of('status').input.statefulSet).toBeUndefined();
  });
  it('refuses unknown flags and stray arguments as usage errors', () => {
    expect(() => of('mydb', '--tpye', 'x')).toThrow(
      expect.objectContaining({ exitCode: 2, message: 'unknown flag: --tpye' }),
    );
    expect(() => of('a', 'b')).toThrow(expect.objectContaining({ exitCode: 2, message: 'Unknown argument: b' }));
    expect(() => of('a', '--', 'b')).toThrow(expect.objectContaining({ exitCode: 2, message: 'Unknown argument: b' }));
    expect(() => of('completion', 'x')).toThrow(expect.objectContaining({ exitCode: 2 }));
    // What the shell makes of --annotations k={a,b} unquoted.
    expect(() => of('a', '--annotations', 'k=a', 'k=b')).toThrow(
      expect.objectContaining({
        message: 'Unknown argument: k=b (a value with a list in braces must be quoted: the shell expands it)',
      }),
    );
    expect(() => of('status', '--type', 'NodePort')).toThrow(
      expect.objectContaining({ exitCode: 2, message: 'unknown flag: --type' }),
    );
    expect(() => of('mydb', '-x')).toThrow(
      expect.objectContaining({ exitCode: 2, message: "unknown shorthand flag: 'x' in -x" }),
    );
    expect(() => of('mydb', '--type')).toThrow(
      expect.objectContaining({ exitCode: 2, message: 'flag needs an argument: --type' }),
    );
    expect(() => of('completion', 'bash')).toThrow(
      expect.objectContaining({
        exitCode: 2,
        message: expect.stringMatching(
          /^completion takes no shell: kubectl's own completion \(kubectl completion bash\)/,
        ),
      }),
    );
  });
  it('takes the word after a flag as its value even when it begins with -, as pflag does', () => {
    expect(of('mydb', '--dns-ttl', '-5s').input.dnsTtl).toBe('-5s');
    expect(of('mydb', '--hostname', '-{pod}.ex').input.hostname).toBe('-{pod}.ex');
    expect(of('mydb', '-n', '-x').connection.namespace).toBe('-x');
    expect(of('mydb', '-ndata', '-v=6').connection).toMatchObject({ namespace: 'data', v: '6' });
    // A switch takes no next word: `--wait false` leaves "false" an argument.
    expect(() => of('mydb', '--wait', 'false')).toThrow(
      expect.objectContaining({ message: 'Unknown argument: false' }),
    );
    // Found before the flags of the command are known: -n's value is not the command.
    expect(of('-n', 'status', 'prune', 'db').command.name).toBe('prune');
  });
  it('reads help COMMAND as COMMAND --help, as kubectl', () => {
    expect(of('help')).toMatchObject({ command: { name: '' }, help: true });
    expect(of('help', 'status')).toMatchObject({ command: { name: 'status' }, help: true });
    expect(of('--', 'help')).toMatchObject({ help: false, input: { statefulSet: 'help' } });
    expect(() => of('help', 'nosuch')).toThrow(
      expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/^unknown help topic "nosuch"/) }),
    );
  });
  it('takes every connection flag kubectl options lists', () => {
    const p = of(
      'mydb',
      '--as',
      'jane',
      '--as-user-extra',
      'scopes=a',
      '--as-user-extra',
      'scopes=b',
      '--kuberc',
      'x',
      '--log-flush-frequency',
      '10s',
      '--match-server-version',
      '--profile',
      'cpu',
      '--profile-output',
      'p',
      '--vmodule',
      'x=2',
      '--warnings-as-errors',
    );
    expect(p.connection).toMatchObject({
      asUserExtra: ['scopes=a', 'scopes=b'],
      warningsAsErrors: true,
      matchServerVersion: true,
    });
  });
  it('sees --help and --version wherever they are', () => {
    expect(of('status', 'db', '-h')).toMatchObject({ command: { name: 'status' }, help: true });
    expect(of('--version')).toMatchObject({ version: true, help: false });
  });
  it('reads what is typed so far without refusing it, for completion', () => {
    expect(parse(['mydb', '--tpye'], { strict: false }).input.statefulSet).toBe('mydb');
  });
});
