import { describe, expect, it } from 'vitest';
import { requestHeaderLines, responseLine } from '../../../src/kube/request-log.ts';

describe('request log', () => {
  it('-v 6: one line per request with kubectl-style status and time', () => {
    expect(responseLine('GET https://127.0.0.1:6443/api/v1/services', 200, '', 12)).toBe(
      'GET https://127.0.0.1:6443/api/v1/services 200 OK in 12 milliseconds',
    );
    expect(responseLine('PATCH https://h/x', 409, 'Conflict', 3)).toBe(
      'PATCH https://h/x 409 Conflict in 3 milliseconds',
    );
  });

  it('-v 8: headers, with every credential masked, repeated headers each on a line', () => {
    const lines = requestHeaderLines({
      Authorization: 'Bearer s3cr3t',
      'proxy-authorization': 'Basic dXNlcjpzM2NyM3Q=',
      cookie: 's3cr3t',
      'X-Auth-Token': 'plain-s3cr3t',
      Accept: 'application/json',
      'Impersonate-Group': ['devs', 'ops'],
    });
    const text = lines.join('\n');
    expect(text).toMatch(/^ {4}Authorization: Bearer <masked>$/m);
    expect(text).toMatch(/^ {4}proxy-authorization: Basic <masked>$/m);
    expect(text).toMatch(/^ {4}cookie: <masked>$/m);
    expect(text).toMatch(/^ {4}X-Auth-Token: <masked>$/m);
    expect(text).toContain('    Accept: application/json');
    expect(lines.filter((l) => l.includes('Impersonate-Group'))).toEqual([
      '    Impersonate-Group: devs',
      '    Impersonate-Group: ops',
    ]);
    expect(text).not.toMatch(/s3cr3t|dXNlcjpzM2NyM3Q=/);
  });
});
