import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { releasePlatforms, renderManifest, renderTemplate, shortDescription } from '../../../.ci/manifest.ts';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const read = (f: string) => readFileSync(join(repo, f), 'utf8');
const pkg = JSON.parse(read('package.json')) as { version: string };

/** What krew-release-bot does with the template on a tag: the version, and each platform's uri and sha256. */
function renderAsReleaseBot(template: string, tag: string, sums: Record<string, string>): string {
  return template
    .replaceAll(/\{\{addURIAndSha "([^"]+)" \.TagName \}\}/g, (_, uri: string) => {
      const url = uri.replaceAll('{{ .TagName }}', tag);
      return `uri: ${url}\n    sha256: "${sums[url.split('/').pop()!]}"`;
    })
    .replaceAll('{{ .TagName }}', tag);
}

describe('krew manifests', () => {
  const plugin = parse(read('plugin.yaml'));
  const sums = Object.fromEntries(
    plugin.spec.platforms.map((p: { uri: string; sha256: string }) => [p.uri.split('/').pop(), p.sha256]),
  );

  it('plugin.yaml describes this version with one platform per release archive, sums quoted', () => {
    expect(plugin.spec.version).toBe(`v${pkg.version}`);
    expect(
      plugin.spec.platforms.map(
        (p: { selector: { matchLabels: { os: string; arch: string } } }) =>
          `${p.selector.matchLabels.os}/${p.selector.matchLabels.arch}`,
      ),
    ).toEqual(['linux/amd64', 'linux/arm64', 'darwin/amd64', 'darwin/arm64', 'windows/amd64']);
    for (const p of plugin.spec.platforms) {
      expect(p.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(p.files.map((f: { from: string }) => f.from)).toContain('LICENSE');
    }
    expect(read('plugin.yaml')).toMatch(/sha256: "[0-9a-f]{64}"/);
  });

  it('keeps krew’s limits: a short description of at most 50 characters, text wrapped at 80 columns', () => {
    expect(shortDescription.length).toBeLessThanOrEqual(50);
    for (const line of [...plugin.spec.description.split('\n'), ...plugin.spec.caveats.split('\n')])
      expect(line.length).toBeLessThanOrEqual(80);
  });

  it('.krew.yaml is the release-bot template of the same manifest, and renders to plugin.yaml', () => {
    expect(read('.krew.yaml')).toBe(renderTemplate(releasePlatforms()));
    expect(renderAsReleaseBot(read('.krew.yaml'), `v${pkg.version}`, sums)).toBe(read('plugin.yaml'));
  });

  it('is generated from the archives, never edited by hand', () => {
    const archives = releasePlatforms().map((p) => ({ ...p, sha256: sums[p.file] }));
    expect(renderManifest(pkg.version, archives)).toBe(read('plugin.yaml'));
  });
});
