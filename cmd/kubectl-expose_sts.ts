// The executable kubectl finds as `kubectl expose-sts`: runs one command and exits with its code. No logic here.
import { processIO } from '../src/cli/io.ts';
import { main } from '../src/cli/main.ts';

void main(process.argv.slice(2), processIO).then((code) => {
  process.exitCode = code;
});
