import { describe, expect, it } from 'vitest';
import { homeKubeconfig } from '../../../src/kube/home.ts';

describe("where kubectl finds ~/.kube/config (client-go's homedir)", () => {
  const has =
    (...files: string[]) =>
    (f: string) =>
      files.includes(f);
  const env = { HOME: 'H:\\home', HOMEDRIVE: 'C:', HOMEPATH: '\\Users\\jo', USERPROFILE: 'D:\\profiles\\jo' };

  it('on Windows: the first of HOME, HOMEDRIVE+HOMEPATH, USERPROFILE that holds .kube\\config', () => {
    expect(homeKubeconfig(env, 'win32', has('H:\\home\\.kube\\config', 'C:\\Users\\jo\\.kube\\config'))).toBe(
      'H:\\home\\.kube\\config',
    );
    expect(homeKubeconfig(env, 'win32', has('C:\\Users\\jo\\.kube\\config', 'D:\\profiles\\jo\\.kube\\config'))).toBe(
      'C:\\Users\\jo\\.kube\\config',
    );
    expect(homeKubeconfig(env, 'win32', has('D:\\profiles\\jo\\.kube\\config'))).toBe(
      'D:\\profiles\\jo\\.kube\\config',
    );
    expect(
      homeKubeconfig({ HOMEDRIVE: 'C:', USERPROFILE: 'D:\\p' }, 'win32', has('C:\\.kube\\config')),
    ).toBeUndefined();
    expect(homeKubeconfig(env, 'win32', has())).toBeUndefined();
  });

  it('elsewhere: $HOME only', () => {
    expect(homeKubeconfig({ HOME: '/home/jo', USERPROFILE: '/x' }, 'linux', has('/home/jo/.kube/config'))).toBe(
      '/home/jo/.kube/config',
    );
    expect(homeKubeconfig({ USERPROFILE: '/x' }, 'darwin', has('/x/.kube/config'))).toBeUndefined();
  });
});
