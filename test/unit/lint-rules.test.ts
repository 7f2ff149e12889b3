// npm run lint holds the layers to one direction, forbids import cycles and over-long functions in src/: proven here
// on small trees laid out as src/ is, linted with the repository's own biome.json.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const biome = join(root, 'node_modules', '.bin', 'biome');

/** The rule names Biome reports for a tree of files (path → text) under a copy of the repository's configuration. */
function lint(files: Record<string, string>): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'expose-sts-lint-'));
  cpSync(join(root, 'biome.json'), join(dir, 'biome.json'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  try {
    execFileSync(biome, ['lint', '--max-diagnostics=50', 'src'], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    return [];
  } catch (err) {
    const out = `${(err as { stdout?: string }).stdout ?? ''}${(err as { stderr?: string }).stderr ?? ''}`;
    return [...new Set([...out.matchAll(/lint\/\w+\/(\w+)/g)].map((m) => m[1]))];
  }
}

const body = (lines: number) => Array.from({ length: lines }, (_, i) => `  total += ${i};`).join('\n');

describe('npm run lint', () => {
  it('passes imports that point toward the pure core', () => {
    expect(
      lint({
        'src/plan/core.ts': 'export const core = 1;\n',
        'src/options/flags.ts': "import { core } from '../plan/core.ts';\n\nexport const flags = core;\n",
        'src/cli/main.ts': "import { flags } from '../options/flags.ts';\n\nexport const main = flags;\n",
      }),
    ).toEqual([]);
  });
  it('fails on an import against the direction', () => {
    expect(
      lint({
        'src/cli/io.ts': 'export const io = 1;\n',
        'src/plan/core.ts': "import { io } from '../cli/io.ts';\n\nexport const core = io;\n",
      }),
    ).toEqual(['noRestrictedImports']);
    expect(
      lint({
        'src/kube/api.ts': 'export const api = 1;\n',
        'src/render/table.ts': "import { api } from '../kube/api.ts';\n\nexport const table = api;\n",
      }),
    ).toEqual(['noRestrictedImports']);
  });
  it('fails on an import cycle, type-only imports included', () => {
    expect(
      lint({
        'src/plan/a.ts': "import type { B } from './b.ts';\n\nexport type A = { b?: B };\n",
        'src/plan/b.ts': "import type { A } from './a.ts';\n\nexport type B = { a?: A };\n",
      }),
    ).toContain('noImportCycles');
  });
  it('fails on a function in src/ over 50 lines', () => {
    const fn = (lines: number) => `export function f() {\n  let total = 0;\n${body(lines)}\n  return total;\n}\n`;
    expect(lint({ 'src/plan/short.ts': fn(48) })).toEqual([]);
    expect(lint({ 'src/plan/long.ts': fn(49) })).toEqual(['noExcessiveLinesPerFunction']);
  });
});
