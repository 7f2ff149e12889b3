// Text width as kubectl picks it for help: on a terminal of at least 80, 100 or 120 columns, lines are word-wrapped
// at 80, 100 or 120; anywhere else (a pipe, a file, a narrower terminal) nothing is wrapped. Kept apart from help.ts
// because the launcher needs it before anything else is loaded (it prints help texts rendered at build time).
const wrapLimits = [0, 80, 100, 120] as const;

export function wrapLimit(columns: number | undefined): number {
  return [...wrapLimits].reverse().find((limit) => (columns ?? 0) >= limit) ?? 0;
}
