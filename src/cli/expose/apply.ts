// expose, step 4: the writes. Services whose ports are replaced first (adopted, or changed by hand), then the one
// with the highest node port alone, then the rest together; each write is one request the API server applies whole,
// so an interruption or a failure leaves what a re-run completes, and says what was applied.
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import { CommandError } from '../../errors.ts';
import type { Api } from '../../kube/api.ts';
import type { Action } from '../../plan/diff.ts';
import { applyBody } from '../../plan/service.ts';
import type { IO } from '../io.ts';
import { verbs } from './print.ts';

/**
 * The ports to put in place before an apply: ours, each keeping the node port the API server allocated to the same
 * port and protocol where none is asked for (a restored Service keeps its node ports).
 */
function keptNodePorts(a: Action): V1ServicePort[] | undefined {
  const before = a.existing?.spec?.ports ?? [];
  return applyBody(a.desired.service).spec?.ports?.map((p) => {
    if (p.nodePort !== undefined) return p;
    const same = before.find((b) => b.port === p.port && (b.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
    return same?.nodePort === undefined ? p : { ...p, nodePort: same.nodePort };
  });
}

/** The highest node port an action asks for (--node-port), 0 for none. */
const highestNodePort = (a: Action) =>
  Math.max(0, ...(a.desired.service.spec?.ports ?? []).map((p) => p.nodePort ?? 0));

/**
 * The API server's dry run does not check a node port against its range (it only looks for one allocated), so the
 * Service with the highest node port asked for goes alone first: past the range's top (a base + ordinal, the usual
 * slip), it is refused before any other is written. Indexes into `toWrite`.
 */
function batches(toWrite: Action[]): number[][] {
  const order = [...toWrite.keys()].sort((a, b) => highestNodePort(toWrite[b]) - highestNodePort(toWrite[a]));
  const first = order.length && highestNodePort(toWrite[order[0]]) > 0 ? order.slice(0, 1) : [];
  return [first, order.filter((i) => !first.includes(i))];
}

/** What was applied so far, and what was sent without an answer yet: what an interruption or a failure reports. */
class Progress {
  readonly applied: string[] = [];
  inFlight = 0;
  readonly total: number;
  constructor(total: number) {
    this.total = total;
  }

  interrupted(): string {
    const n = this.inFlight;
    const pending = n ? `${n} more ${n === 1 ? 'was' : 'were'} sent and may have been applied` : '';
    if (!this.applied.length)
      return pending
        ? `no service was confirmed applied; ${pending}; run the same command again to finish`
        : 'no service was changed';
    return `${this.applied.length} of ${this.total} services were applied (${this.applied.join(', ')})${pending ? `; ${pending}` : ''}; run the same command again to finish`;
  }

  /** A write refused after the checks (another writer, a quota filled meanwhile): what a re-run completes. */
  failed(err: CommandError): CommandError {
    const done = this.applied.length
      ? `applied before it: ${this.applied.join(', ')}; run the same command again to finish`
      : 'nothing was changed';
    return new CommandError(`${err.message}; ${done}`, { status: err.status, cause: err });
  }
}

/** Writes `toWrite` (the actions that change something), after `actions`' port replacements; each one's answer. */
async function write(
  api: Api,
  actions: Action[],
  toWrite: Action[],
  dryRun: boolean,
  progress: Progress,
): Promise<V1Service[]> {
  for (const a of actions.filter((x) => x.replacePorts)) {
    await api.replacePorts(a.desired.name, keptNodePorts(a), dryRun);
    if (!dryRun) progress.applied.push(`service/${a.desired.name} ports replaced`);
  }
  const written: V1Service[] = new Array(toWrite.length);
  for (const batch of batches(toWrite)) {
    const bodies = batch.map((i) => applyBody(toWrite[i].desired.service));
    const answers = await api.applyAll(bodies, dryRun, {
      sent: () => progress.inFlight++,
      applied: (j) => {
        progress.inFlight--;
        const a = toWrite[batch[j]];
        progress.applied.push(`service/${a.desired.name} ${verbs[a.kind]}`);
      },
    });
    for (const [j, svc] of answers.entries()) written[batch[j]] = svc;
  }
  // Adopted or restored: the fields whoever made or edited it set are expose-sts's alone now.
  if (!dryRun) for (const a of actions.filter((x) => x.replacePorts)) await api.disown(a.desired.name);
  return written;
}

/**
 * Applies the actions (a server dry run: `dryRun`) and records each written Service's answer in `current`. `cleanUp`
 * runs when a write fails, before the error is thrown (an open watch would keep the process from exiting).
 */
export async function applyServices(
  api: Api,
  actions: Action[],
  current: Map<string, V1Service>,
  run: { dryRun: boolean; io: IO; cleanUp: () => void },
): Promise<void> {
  const toWrite = actions.filter((a) => a.kind !== 'unchanged');
  const progress = new Progress(toWrite.length);
  const done = run.io.onInterrupt?.(() => progress.interrupted());
  try {
    const written = await write(api, actions, toWrite, run.dryRun, progress);
    for (const [i, a] of toWrite.entries()) current.set(a.desired.name, written[i]);
  } catch (err) {
    run.cleanUp();
    throw progress.failed(err as CommandError);
  } finally {
    done?.();
  }
  const counts = new Map<string, number>();
  for (const a of actions) counts.set(a.kind, (counts.get(a.kind) ?? 0) + 1);
  api.log(1, `services: ${[...counts].map(([kind, n]) => `${n} ${kind}`).join(', ')}`);
}
