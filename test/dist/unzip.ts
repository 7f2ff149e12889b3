// Unpacks a release .zip (the Windows archive) as a user's unzip does, flat: its entries are plain files.
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';

export async function unzipTo(file: string, dir: string): Promise<string[]> {
  const zip = await yauzl.openPromise(file);
  const names: string[] = [];
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.includes('/')) throw new Error(`${file}: unexpected entry ${entry.fileName}`);
      await pipeline(await zip.openReadStreamPromise(entry), createWriteStream(join(dir, entry.fileName)));
      names.push(entry.fileName);
    }
  } finally {
    zip.close();
  }
  return names;
}
