// Checks a Mach-O executable's embedded code signature the way the macOS kernel validates pages at exec, written apart
// from the signer (.ci/codesign.ts) so that a mistake in one is not repeated in the other: every CodeDirectory's page
// hashes up to its codeLimit, the hashes of the special slots it binds, its identifier and flags, the executable
// segment it names, and the signature lying at the end of __LINKEDIT, which ends the file.
// Layouts: Apple's <mach-o/loader.h> and xnu's osfmk/kern/cs_blobs.h.
import { createHash } from 'node:crypto';

interface CodeDirectoryFacts {
  slot: number;
  version: number;
  flags: number;
  identifier: string;
  hashType: number;
  pageSize: number;
  codeLimit: number;
  codeSlots: number;
  specialSlots: number;
  execSeg: { base: number; limit: number; flags: number };
}

export interface SignatureCheck {
  /** Empty when the signature is valid. */
  problems: string[];
  codeDirectories: CodeDirectoryFacts[];
}

const hashes: Record<number, { algorithm: string; size: number }> = {
  1: { algorithm: 'sha1', size: 20 },
  2: { algorithm: 'sha256', size: 32 },
  3: { algorithm: 'sha256', size: 20 }, // SHA-256 truncated to 20 bytes
  4: { algorithm: 'sha384', size: 48 },
};

export function checkSignature(file: Uint8Array): SignatureCheck {
  const problems: string[] = [];
  const codeDirectories: CodeDirectoryFacts[] = [];
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const le32 = (o: number) => view.getUint32(o, true);
  const le64 = (o: number) => Number(view.getBigUint64(o, true));
  const be32 = (o: number) => view.getUint32(o, false);
  const be64 = (o: number) => Number(view.getBigUint64(o, false));
  const name = (o: number) => new TextDecoder('latin1').decode(file.subarray(o, o + 16)).split('\0')[0];

  if (file.byteLength < 32 || le32(0) !== 0xfeedfacf) return { problems: ['not a 64-bit Mach-O'], codeDirectories };
  const segments = new Map<string, { fileoff: number; filesize: number }>();
  const signatures: { dataoff: number; datasize: number }[] = [];
  let end = 32;
  for (let n = 0; n < le32(16); n++) {
    const cmd = le32(end);
    if (cmd === 0x19) segments.set(name(end + 8), { fileoff: le64(end + 40), filesize: le64(end + 48) });
    if (cmd === 0x1d) signatures.push({ dataoff: le32(end + 8), datasize: le32(end + 12) });
    end += le32(end + 4);
  }
  if (end - 32 !== le32(20)) problems.push(`load commands take ${end - 32} bytes, the header says ${le32(20)}`);
  if (signatures.length !== 1) {
    problems.push(signatures.length ? 'more than one LC_CODE_SIGNATURE' : 'no LC_CODE_SIGNATURE load command');
    return { problems, codeDirectories };
  }
  const [{ dataoff, datasize }] = signatures;
  const linkedit = segments.get('__LINKEDIT');
  const text = segments.get('__TEXT');
  if (!linkedit || !text) return { problems: [...problems, 'no __LINKEDIT or __TEXT segment'], codeDirectories };
  if (dataoff < linkedit.fileoff || dataoff + datasize > linkedit.fileoff + linkedit.filesize) {
    problems.push(
      `the signature [${dataoff}, ${dataoff + datasize}) is not inside __LINKEDIT [${linkedit.fileoff}, ${linkedit.fileoff + linkedit.filesize})`,
    );
  }
  if (linkedit.fileoff + linkedit.filesize !== file.byteLength) {
    problems.push(`__LINKEDIT ends at ${linkedit.fileoff + linkedit.filesize}, the file at ${file.byteLength}`);
  }
  if (dataoff + datasize > file.byteLength)
    return { problems: [...problems, 'the signature runs past the file'], codeDirectories };

  // The SuperBlob: an index of (slot, offset) pairs into the blobs that follow it.
  if (be32(dataoff) !== 0xfade0cc0)
    return { problems: [...problems, 'no embedded-signature SuperBlob'], codeDirectories };
  const blobs = new Map<number, Uint8Array>();
  for (let i = 0; i < be32(dataoff + 8); i++) {
    const slot = be32(dataoff + 12 + i * 8);
    const at = dataoff + be32(dataoff + 16 + i * 8);
    blobs.set(slot, file.subarray(at, at + be32(at + 4)));
  }
  const cdSlots = [...blobs.keys()].filter((s) => s === 0 || (s >= 0x1000 && s < 0x1005));
  if (!cdSlots.length) problems.push('no CodeDirectory');

  for (const slot of cdSlots) {
    const cd = blobs.get(slot)!;
    const at = cd.byteOffset - file.byteOffset;
    const say = (what: string) => problems.push(`CodeDirectory in slot ${slot}: ${what}`);
    if (be32(at) !== 0xfade0c02) {
      say('wrong magic');
      continue;
    }
    const version = be32(at + 8);
    const hashOffset = be32(at + 16);
    const identOffset = be32(at + 20);
    const specialSlots = be32(at + 24);
    const codeSlots = be32(at + 28);
    const codeLimit = version >= 0x20300 && be64(at + 56) ? be64(at + 56) : be32(at + 32);
    const hashSize = file[at + 36];
    const hashType = file[at + 37];
    const pageSize = file[at + 39] ? 2 ** file[at + 39] : 0;
    const identEnd = file.indexOf(0, at + identOffset);
    const facts: CodeDirectoryFacts = {
      slot,
      version,
      flags: be32(at + 12),
      identifier: new TextDecoder().decode(file.subarray(at + identOffset, identEnd)),
      hashType,
      pageSize,
      codeLimit,
      codeSlots,
      specialSlots,
      execSeg:
        version >= 0x20400
          ? { base: be64(at + 64), limit: be64(at + 72), flags: be64(at + 80) }
          : { base: 0, limit: 0, flags: 0 },
    };
    codeDirectories.push(facts);
    const hash = hashes[hashType];
    if (!hash || hash.size !== hashSize) {
      say(`unknown hash type ${hashType} of size ${hashSize}`);
      continue;
    }
    const digest = (bytes: Uint8Array) => createHash(hash.algorithm).update(bytes).digest().subarray(0, hash.size);
    const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0;
    if (codeLimit !== dataoff) say(`codeLimit ${codeLimit} is not where the signature starts (${dataoff})`);
    const expectedSlots = pageSize ? Math.ceil(codeLimit / pageSize) : 1;
    if (codeSlots !== expectedSlots) say(`${codeSlots} page hashes for ${expectedSlots} pages`);
    for (let page = 0; page < Math.min(codeSlots, expectedSlots); page++) {
      const start = page * pageSize;
      const stop = pageSize ? Math.min(start + pageSize, codeLimit) : codeLimit;
      const stored = file.subarray(at + hashOffset + page * hashSize, at + hashOffset + (page + 1) * hashSize);
      if (!same(stored, digest(file.subarray(start, stop)))) {
        say(`page ${page} (bytes ${start}–${stop}) does not match its hash`);
        break; // one is enough to refuse; the kernel kills the process at the first
      }
    }
    // Special slots sit before hash slot 0, numbered downwards: a blob bound there must hash to what is stored.
    for (let special = 1; special <= specialSlots; special++) {
      const stored = file.subarray(at + hashOffset - special * hashSize, at + hashOffset - (special - 1) * hashSize);
      const blob = blobs.get(special);
      if (blob && !same(stored, digest(blob))) say(`special slot ${special} does not match its blob`);
      if (!blob && stored.some((b) => b !== 0)) say(`special slot ${special} binds a blob that is not there`);
    }
    if (version >= 0x20400 && (facts.execSeg.base !== text.fileoff || facts.execSeg.limit !== text.filesize)) {
      say(`the executable segment [${facts.execSeg.base}, +${facts.execSeg.limit}) is not __TEXT`);
    }
  }
  return { problems, codeDirectories };
}
