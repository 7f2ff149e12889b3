// The krew manifest, in two renderings of one description: plugin.yaml (a release: real URIs and sha256 sums, from
// dist/) and .krew.yaml (the krew-release-bot template that renders to the same shape on every tagged release).
//   node .ci/manifest.ts              rewrites .krew.yaml (plugin.yaml comes from npm run dist)
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { platformFiles, targets } from './platforms.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; homepage: string };

export interface PlatformArchive {
  os: string;
  arch: string;
  file: string;
  sha256: string;
  bin: string;
  completion: string;
}

export const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

export const shortDescription = 'Expose each StatefulSet pod via its own Service';

const description = `Creates one Service per pod of a StatefulSet, selecting only that pod by its
statefulset.kubernetes.io/pod-name label, so a client outside the cluster can
reach one particular member (a Mongo, Postgres, Kafka or Redis instance).
For NodePort and LoadBalancer it sets externalTrafficPolicy: Local, waits for
the load-balancer addresses, and prints where each ordinal answers. Re-runs
follow scaling; "status" shows drift and "prune" removes Services whose pod is
gone, never touching a Service the plugin does not manage.`;

const caveats = `Each LoadBalancer Service is a cloud load balancer: it costs money and counts
against quotas. Without --load-balancer-source-ranges it accepts connections
from any address.

For shell completion, run: kubectl expose-sts completion`;

const releaseUri = (version: string, file: string) => `${pkg.homepage}/releases/download/${version}/${file}`;

function indent(text: string, spaces: number): string {
  return text
    .split('\n')
    .map((l) => (l ? ' '.repeat(spaces) + l : l))
    .join('\n');
}

/** `source` renders the uri and sha256 lines of one platform. */
function render(
  version: string,
  archives: Omit<PlatformArchive, 'sha256'>[],
  source: (a: Omit<PlatformArchive, 'sha256'>) => string,
): string {
  const platforms = archives
    .map(
      (a) => `  - selector:
      matchLabels:
        os: ${a.os}
        arch: ${a.arch}
${source(a)}
    bin: ${a.bin}
    files:
      - from: ${a.bin}
        to: .
      - from: ${a.completion}
        to: .
      - from: LICENSE
        to: .`,
    )
    .join('\n');
  return `apiVersion: krew.googlecontainertools.github.com/v1alpha2
kind: Plugin
metadata:
  name: expose-sts
spec:
  version: ${version}
  homepage: ${pkg.homepage}
  shortDescription: ${shortDescription}
  description: |
${indent(description, 4)}
  caveats: |
${indent(caveats, 4)}
  platforms:
${platforms}
`;
}

export function renderManifest(version: string, archives: PlatformArchive[]): string {
  const byFile = new Map(archives.map((a) => [a.file, a.sha256]));
  // A sha256 of digits only would read as a YAML number, which krew rejects: always quoted.
  return render(
    `v${version}`,
    archives,
    (a) => `    uri: ${releaseUri(`v${version}`, a.file)}\n    sha256: "${byFile.get(a.file)}"`,
  );
}

export function renderTemplate(archives: Omit<PlatformArchive, 'sha256'>[]): string {
  return render(
    '{{ .TagName }}',
    archives,
    (a) => `    {{addURIAndSha "${releaseUri('{{ .TagName }}', a.file)}" .TagName }}`,
  );
}

/** The platforms every release has, without sums: what the template and the tests need. */
export const releasePlatforms = () => targets.map(platformFiles);

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(join(root, '.krew.yaml'), renderTemplate(releasePlatforms()));
}
