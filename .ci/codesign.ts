// An ad-hoc code signature for a thin 64-bit Mach-O executable: what macOS on Apple Silicon requires before it runs
// arm64 code at all (unsigned code is killed at exec), and what Apple's linker and Go's write into every darwin/arm64
// binary they link. `node --build-sea` drops the official Node's signature when it injects the blob and adds none.
//
// Written here rather than taken from a library: Apple's `codesign` exists only on macOS; no npm package signs (npm
// has `macho-unsign`, which only removes); the Go signers are either not served by the module proxy (quill) or a
// parser (go-macho), and would bring Go into every `npm run dist` for what is about 100 lines. The format is Go's
// `cmd/internal/codesign` (itself that of Apple's ld64, from `cs_blobs.h`): one SuperBlob holding one CodeDirectory
// of SHA-256 page hashes, flags adhoc | linker-signed, and no requirements or CMS blob (ad-hoc code has no signer).
// The result is a pure function of the input bytes, so release archives stay reproducible.
//
// test/dist/macho-signature.ts checks the result independently of this file (and proves itself on Apple-signed Node).

import { createHash } from 'node:crypto';

const MH_MAGIC_64 = 0xfeedfacf;
const MH_EXECUTE = 2;
const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
const CSSLOT_CODEDIRECTORY = 0;
const CS_ADHOC = 0x2;
const CS_LINKER_SIGNED = 0x20000;
const CS_HASHTYPE_SHA256 = 2;
const CS_EXECSEG_MAIN_BINARY = 0x1;
const pageBits = 12; // 4 KiB hash pages, as ld64 and Go use on both architectures
const pageSize = 1 << pageBits;
const hashSize = 32;
const superBlobHeader = 12 + 8; // magic, length, count; one index entry (type, offset)
const codeDirectoryHeader = 88; // version 0x20400: up to and including the execSeg fields
const linkeditAlign = 0x4000; // a segment's vmsize is a whole number of pages: 16 KiB covers arm64 and x86_64

interface Segment {
  /** Offset of the load command in the file. */
  at: number;
  name: string;
  fileoff: number;
  filesize: number;
}

/** A thin 64-bit Mach-O, as the darwin Node builds are (what adhocSign takes). */
export const isMachO = (bin: Buffer) => bin.length >= 4 && bin.readUInt32LE(0) === MH_MAGIC_64;

const align = (n: number, to: number) => Math.ceil(n / to) * to;

function loadCommands(bin: Buffer) {
  if (bin.length < 32 || !isMachO(bin)) {
    throw new Error('not a thin 64-bit little-endian Mach-O file (a universal binary must be signed per slice)');
  }
  const ncmds = bin.readUInt32LE(16);
  const sizeofcmds = bin.readUInt32LE(20);
  const segments: Segment[] = [];
  let signature: { at: number; dataoff: number } | undefined;
  let firstContent = bin.length; // the lowest file offset of any section's bytes: load commands must end before it
  for (let i = 0, at = 32; i < ncmds; i++) {
    const cmd = bin.readUInt32LE(at);
    const size = bin.readUInt32LE(at + 4);
    if (cmd === LC_SEGMENT_64) {
      segments.push({
        at,
        name: bin.toString('latin1', at + 8, at + 24).replace(/\0+$/, ''),
        fileoff: Number(bin.readBigUInt64LE(at + 40)),
        filesize: Number(bin.readBigUInt64LE(at + 48)),
      });
      for (let s = 0, sect = at + 72; s < bin.readUInt32LE(at + 64); s++, sect += 80) {
        const offset = bin.readUInt32LE(sect + 48);
        if (offset > 0) firstContent = Math.min(firstContent, offset);
      }
    } else if (cmd === LC_CODE_SIGNATURE) {
      signature = { at, dataoff: bin.readUInt32LE(at + 8) };
    }
    at += size;
  }
  return { ncmds, sizeofcmds, segments, signature, firstContent };
}

/** Returns the executable signed ad hoc under `identifier`; a signature it already has is replaced. */
export function adhocSign(input: Buffer, identifier: string): Buffer {
  const { ncmds, sizeofcmds, segments, signature, firstContent } = loadCommands(input);
  const text = segments.find((s) => s.name === '__TEXT');
  const linkedit = segments.find((s) => s.name === '__LINKEDIT');
  if (!text || !linkedit) throw new Error('no __TEXT or __LINKEDIT segment');
  // The signature goes at the end of __LINKEDIT, which must end the file (a replaced signature was there already).
  const dataEnd = signature ? signature.dataoff : input.length;
  if (linkedit.fileoff + linkedit.filesize !== input.length || segments.some((s) => s.fileoff > linkedit.fileoff)) {
    throw new Error('__LINKEDIT is not the last thing in the file');
  }
  const codeLimit = align(dataEnd, 16);
  const pages = Math.ceil(codeLimit / pageSize);
  const id = Buffer.from(`${identifier}\0`, 'utf8');
  const cdLength = codeDirectoryHeader + id.length + pages * hashSize;
  const sigSize = superBlobHeader + cdLength;

  const out = Buffer.alloc(codeLimit + sigSize);
  input.copy(out, 0, 0, dataEnd);

  // The load command: in place of the old one, or appended where the header has room before the first section.
  let cmdAt = signature?.at;
  if (cmdAt === undefined) {
    cmdAt = 32 + sizeofcmds;
    if (cmdAt + 16 > firstContent) throw new Error('no room in the Mach-O header for LC_CODE_SIGNATURE');
    out.writeUInt32LE(ncmds + 1, 16);
    out.writeUInt32LE(sizeofcmds + 16, 20);
  }
  out.writeUInt32LE(LC_CODE_SIGNATURE, cmdAt);
  out.writeUInt32LE(16, cmdAt + 4);
  out.writeUInt32LE(codeLimit, cmdAt + 8);
  out.writeUInt32LE(sigSize, cmdAt + 12);
  // __LINKEDIT grows to hold the signature (filesize, and vmsize to the whole pages that maps).
  const linkeditSize = codeLimit + sigSize - linkedit.fileoff;
  out.writeBigUInt64LE(BigInt(linkeditSize), linkedit.at + 48);
  const vmsize = Number(out.readBigUInt64LE(linkedit.at + 32));
  out.writeBigUInt64LE(BigInt(Math.max(vmsize, align(linkeditSize, linkeditAlign))), linkedit.at + 32);

  // SuperBlob (big-endian, as every code-signing structure), its one index entry, then the CodeDirectory.
  let p = codeLimit;
  const u32 = (v: number) => void (p = out.writeUInt32BE(v, p));
  const u64 = (v: number) => void (p = out.writeBigUInt64BE(BigInt(v), p));
  const u8 = (v: number) => void (p = out.writeUInt8(v, p));
  u32(CSMAGIC_EMBEDDED_SIGNATURE);
  u32(sigSize);
  u32(1);
  u32(CSSLOT_CODEDIRECTORY);
  u32(superBlobHeader);
  u32(CSMAGIC_CODEDIRECTORY);
  u32(cdLength);
  u32(0x20400); // version: the first with the executable-segment fields
  u32(CS_ADHOC | CS_LINKER_SIGNED);
  u32(codeDirectoryHeader + id.length); // hashOffset
  u32(codeDirectoryHeader); // identOffset
  u32(0); // nSpecialSlots: no Info.plist, requirements or entitlements to bind
  u32(pages); // nCodeSlots
  u32(codeLimit);
  u8(hashSize);
  u8(CS_HASHTYPE_SHA256);
  u8(0); // platform
  u8(pageBits);
  u32(0); // spare2
  u32(0); // scatterOffset
  u32(0); // teamOffset
  u32(0); // spare3
  u64(0); // codeLimit64: codeLimit fits 32 bits
  u64(text.fileoff); // execSegBase
  u64(text.filesize); // execSegLimit
  u64(input.readUInt32LE(12) === MH_EXECUTE ? CS_EXECSEG_MAIN_BINARY : 0); // filetype: a main executable
  p += id.copy(out, p);
  // The page hashes cover the file up to the signature, with the header as changed above.
  for (let page = 0; page < pages; page++) {
    const start = page * pageSize;
    p += createHash('sha256')
      .update(out.subarray(start, Math.min(start + pageSize, codeLimit)))
      .digest()
      .copy(out, p);
  }
  return out;
}
