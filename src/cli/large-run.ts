// V8's optimizing compilers (Maglev, TurboFan) cost ≈ 10 MiB of compile zones in a large `expose` (bench/ANALYSIS.md,
// P5) for code that never runs long enough to gain from them; switched off for every command they cost small ones
// ≈ 12 ms, because Node's own modules then run in the interpreter too (P7). So they are switched off only once a run
// is known to be large. (Set at run time, not as a start-up flag, which would make Node recompile its built-ins.)

/** Pods from which a run counts as large: P5's 1000 are; P2's 100 and a user's handful are not. */
const largeRunPods = 200;

export function sizeRun(pods: number): void {
  if (pods >= largeRunPods) process.getBuiltinModule('node:v8').setFlagsFromString('--no-maglev --no-turbofan');
}
