// What a command is, in the shape of kubectl's (an options object filled from flags defined once in options/), run as
// validate → complete → run (kubectl completes first; validating first reports usage errors before any read). main
// parses the arguments, validates them, completes the connection for the commands that talk to the cluster, and
// hands it to run; help and completion are made from the same record.
import type { UsageError } from '../errors.ts';
import type { Api } from '../kube/api.ts';
import type { FlagSpecs, Input } from '../options/flags.ts';
import type { About } from '../render/help.ts';
import type { IO } from './io.ts';

interface Described<S extends FlagSpecs, O> extends About {
  flags: S;
  validate(input: Input<S>): O | UsageError;
}

/**
 * A command that talks to the cluster: main completes the connection (kubeconfig, context, namespace, credentials)
 * and hands it the API bound to it.
 */
export interface ClusterCommand<S extends FlagSpecs, O> extends Described<S, O> {
  connects: true;
  run(opts: O, api: Api, io: IO): Promise<number>;
}

/** A command that only prints (completion, options). */
export interface LocalCommand<S extends FlagSpecs, O> extends Described<S, O> {
  connects: false;
  run(opts: O, io: IO): number;
  /** Its own --help text, where it is not the usual layout. */
  help?(wrapLimit: number): string;
}

/** Any command, its flag and option types forgotten: parse builds each input from that command's own flags. */
export type Command = ClusterCommand<FlagSpecs, unknown> | LocalCommand<FlagSpecs, unknown>;

/** Forgets a command's types, for the list of commands (the one place they are set aside). */
export function command<S extends FlagSpecs, O>(c: ClusterCommand<S, O> | LocalCommand<S, O>): Command {
  return c as unknown as Command;
}
