import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.ts';
import { withDefaults } from '../../../src/options/flags.ts';
import { type PruneFlags, pruneFlags, validatePruneFlags as prune } from '../../../src/options/prune.ts';
import { type StatusFlags, statusFlags, validateStatusFlags as status } from '../../../src/options/status.ts';

// The flags as the parser hands them over: what is given, the defaults for the rest.
const validateStatusFlags = (f: Partial<StatusFlags>) => status({ ...withDefaults(statusFlags, f), ...f });
const validatePruneFlags = (f: Partial<PruneFlags>) => prune({ ...withDefaults(pruneFlags, f), ...f });

describe('status and prune options', () => {
  it('status: defaults, -o and --exit-code', () => {
    expect(validateStatusFlags({})).toEqual({
      statefulSet: undefined,
      allNamespaces: false,
      output: '',
      exitCode: false,
      endpointPort: undefined,
      watch: false,
      outputWatchEvents: false,
      noHeaders: false,
    });
    expect(validateStatusFlags({ statefulSet: 'db', output: 'WIDE', exitCode: true })).toEqual({
      statefulSet: 'db',
      allNamespaces: false,
      output: 'wide',
      exitCode: true,
      endpointPort: undefined,
      watch: false,
      outputWatchEvents: false,
      noHeaders: false,
    });
    expect(validateStatusFlags({ watch: true, outputWatchEvents: true })).toMatchObject({ watch: true });
    expect((validateStatusFlags({ watch: true, exitCode: true }) as UsageError).message).toMatch(
      /--exit-code ends with the state of one moment, and --watch follows it/,
    );
    expect((validateStatusFlags({ output: 'name' }) as UsageError).message).toMatch(/must be one of wide, json, yaml/);
  });
  it('refuses a name together with -A, as kubectl does', () => {
    expect((validateStatusFlags({ statefulSet: 'db', allNamespaces: true }) as UsageError).message).toMatch(
      /cannot be named across all namespaces/,
    );
    expect(validatePruneFlags({ statefulSet: 'db', allNamespaces: true })).toBeInstanceOf(UsageError);
  });
  it('prune: --all needs a StatefulSet name, so a namespace is never wiped by accident', () => {
    expect((validatePruneFlags({ all: true }) as UsageError).message).toMatch(/^--all needs a StatefulSet name/);
    expect(validatePruneFlags({ all: true, statefulSet: 'db' })).toEqual({
      statefulSet: 'db',
      allNamespaces: false,
      all: true,
      dryRun: 'none',
      output: '',
    });
  });
  it('prune: --dry-run as kubectl (bare means client: see the parser tests)', () => {
    expect(validatePruneFlags({ dryRun: 'server' })).toMatchObject({ dryRun: 'server' });
    expect(validatePruneFlags({ dryRun: 'yes' })).toBeInstanceOf(UsageError);
  });
});
