// Where a command writes: results to stdout, progress and warnings to stderr (../shared/conventions.md, Output).
export interface IO {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIO: IO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};
