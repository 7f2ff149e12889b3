import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditLinesSince } from '../../cluster/audit.ts';

describe('auditLinesSince', () => {
  it('gives the whole lines written since an offset, not one it fell inside nor one not ended yet', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'audit-')), 'audit.log');
    writeFileSync(log, '{"auditID":"a"}\n{"auditID":"b","userAgent":"client-java"}\n');
    expect(auditLinesSince(log, 0)).toEqual(['{"auditID":"a"}', '{"auditID":"b","userAgent":"client-java"}']);
    expect(auditLinesSince(log, 16)).toEqual(['{"auditID":"b","userAgent":"client-java"}']);
    // The size was read while the API server was writing line b: it began before, and is left out.
    expect(auditLinesSince(log, 30)).toEqual([]);
    appendFileSync(log, '{"auditID":"c"}\n{"auditID":');
    expect(auditLinesSince(log, 30)).toEqual(['{"auditID":"c"}']);
  });
});
