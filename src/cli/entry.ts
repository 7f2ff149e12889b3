// The CLI part of the single binary: what the launcher (cmd/kubectl-expose_sts.ts) runs for every command.
export { main } from './main.ts';
export { exitOnSignals, processIO } from './io.ts';
