// The darwin binaries carry a valid ad-hoc signature (macOS on Apple Silicon kills unsigned arm64 code at exec),
// checked by macho-signature.ts, which shares no code with the signer and is first shown to tell a valid signature
// (the official Node build's, Apple's own) from a broken one (one byte changed in a page) and from none at all.
// And the archives are the ones plugin.yaml names: the release publishes what was built and tested here.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { adhocSign } from '../../.ci/codesign.ts';
import { baseExecutable } from '../../.ci/dist.ts';
import { targets } from '../../.ci/platforms.ts';
import { checkSignature } from './macho-signature.ts';

const { dir, archives } = inject('archives');
const darwinArm64 = targets.find((t) => t.os === 'darwin' && t.arch === 'arm64')!;

/** The file `name` of a .tar.gz release archive. */
function unpack(file: string, name: string): Buffer {
  const into = mkdtempSync(join(tmpdir(), 'expose-sts-unpack-'));
  tar.x({ file: join(dir, file), cwd: into, sync: true }, [name]);
  return readFileSync(join(into, name));
}

/** What `codesign --remove-signature` leaves: no LC_CODE_SIGNATURE, the file and __LINKEDIT ending where it began. */
function withoutSignature(signed: Buffer): Buffer {
  const out = Buffer.from(signed);
  const ncmds = out.readUInt32LE(16);
  let sig = 0;
  let linkedit = 0;
  for (let i = 0, at = 32; i < ncmds; i++, at += out.readUInt32LE(at + 4)) {
    if (out.readUInt32LE(at) === 0x1d) sig = at;
    if (out.readUInt32LE(at) === 0x19 && out.toString('latin1', at + 8, at + 18) === '__LINKEDIT') linkedit = at;
  }
  expect(sig && linkedit).toBeTruthy();
  const dataoff = out.readUInt32LE(sig + 8);
  const sizeofcmds = out.readUInt32LE(20);
  out.copy(out, sig, sig + 16, 32 + sizeofcmds); // the load commands after it move up
  out.fill(0, 32 + sizeofcmds - 16, 32 + sizeofcmds);
  out.writeUInt32LE(ncmds - 1, 16);
  out.writeUInt32LE(sizeofcmds - 16, 20);
  const linkeditAt = linkedit > sig ? linkedit - 16 : linkedit;
  out.writeBigUInt64LE(BigInt(dataoff) - out.readBigUInt64LE(linkeditAt + 40), linkeditAt + 48);
  return out.subarray(0, dataoff);
}

describe('the signature check itself', () => {
  const official = readFileSync(baseExecutable(darwinArm64));

  it('accepts the official Node build for darwin/arm64 (signed by its publisher, with its special slots)', () => {
    const { problems, codeDirectories } = checkSignature(official);
    expect(problems).toEqual([]);
    expect(codeDirectories.length).toBeGreaterThan(0);
    expect(codeDirectories[0].specialSlots).toBeGreaterThan(0);
  });

  it('refuses it with one byte changed in a page of code', () => {
    const changed = Buffer.from(official);
    changed[5 * 4096 + 123] ^= 0x01;
    expect(checkSignature(changed).problems).toEqual([
      expect.stringMatching(/page 5 \(bytes 20480–24576\) does not match its hash/),
    ]);
  });

  it('refuses it with the signature removed', () => {
    const stripped = withoutSignature(official);
    expect(stripped.length).toBeLessThan(official.length);
    expect(checkSignature(stripped).problems).toEqual(['no LC_CODE_SIGNATURE load command']);
  });
});

describe('the darwin release archives', () => {
  const darwin = archives.filter((a) => a.os === 'darwin');

  it('are both there', () => {
    expect(darwin.map((a) => a.arch).sort()).toEqual(['amd64', 'arm64']);
  });

  it.each(darwin.map((a) => [a.arch, a] as const))(
    'darwin/%s: the binary has a valid ad-hoc signature of its every page',
    (_, archive) => {
      const binary = unpack(archive.file, archive.bin);
      const { problems, codeDirectories } = checkSignature(binary);
      expect(problems).toEqual([]);
      expect(codeDirectories).toHaveLength(1);
      const [cd] = codeDirectories;
      expect(cd.flags & 0x2).toBe(0x2); // adhoc
      expect(cd).toMatchObject({
        identifier: 'kubectl-expose_sts',
        hashType: 2, // SHA-256
        pageSize: 4096,
        codeSlots: Math.ceil(cd.codeLimit / 4096),
        execSeg: { flags: 1 }, // the main executable
      });
      // The signer is a function of the bytes: signing the unsigned binary again gives the same file.
      expect(adhocSign(withoutSignature(binary), archive.bin).equals(binary)).toBe(true);
    },
  );
});

describe('plugin.yaml', () => {
  it('names the sums of the archives built here from this source, for every platform', () => {
    const repo = fileURLToPath(new URL('../..', import.meta.url));
    const manifest = parse(readFileSync(join(repo, 'plugin.yaml'), 'utf8')) as {
      spec: { platforms: { uri: string; sha256: string }[] };
    };
    const committed = Object.fromEntries(manifest.spec.platforms.map((p) => [p.uri.split('/').pop(), p.sha256]));
    expect(committed).toEqual(Object.fromEntries(archives.map((a) => [a.file, a.sha256])));
  });
});
