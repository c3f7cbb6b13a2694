import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { electronArgs, electronAvailable, electronBinary, runElectron } from '../../../src/main/electron/launch.ts';
import { tempDir } from '../../helpers/tmp.ts';

/** A stand-in for require() as the electron npm package answers it. */
function fakeRequire(o: { installed: boolean; exports?: unknown }) {
  const req = ((id: string) => {
    if (!o.installed) throw new Error(`Cannot find module '${id}'`);
    return o.exports;
  }) as ((id: string) => unknown) & { resolve(id: string): string };
  req.resolve = (id: string) => {
    if (!o.installed) throw new Error(`Cannot find module '${id}'`);
    return `/x/node_modules/${id}/index.js`;
  };
  return req;
}

describe('finding Electron', () => {
  it('is available only when the package is installed and its downloaded binary exists', () => {
    const bin = join(tempDir('electron-'), 'electron');
    writeFileSync(bin, '');
    expect(electronBinary(fakeRequire({ installed: true, exports: bin }))).toBe(bin);
    expect(electronAvailable(fakeRequire({ installed: true, exports: '/nowhere/electron' }))).toBe(false);
    expect(electronAvailable(fakeRequire({ installed: false }))).toBe(false);
    expect(electronAvailable(fakeRequire({ installed: true, exports: { default: bin } }))).toBe(false);
  });

  it('is not installed on this build machine, and launching says what to do instead', async () => {
    expect(electronAvailable()).toBe(false);
    await expect(runElectron([])).rejects.toThrow('run `station start --headless` and open the console in a browser');
  });

  it('runs the binary on the bundled main with the station flags and returns its exit status', async () => {
    const dir = tempDir('electron-');
    const bin = join(dir, 'electron');
    // A stand-in binary: records its arguments and exits 3.
    writeFileSync(bin, `#!/bin/sh\nprintf '%s\\n' "$@" > "${dir}/args"\nexit 3\n`);
    chmodSync(bin, 0o755);
    const code = await runElectron(electronArgs({ dataDir: '/data', configFile: 'line.yaml', port: 0, demo: true }), { require: fakeRequire({ installed: true, exports: bin }) });
    expect(code).toBe(3);
    expect(readFileSync(join(dir, 'args'), 'utf8').trim().split('\n')).toEqual([expect.stringMatching(/dist\/electron\/main\.cjs$/), '--data-dir', '/data', '--config', 'line.yaml', '--port', '0', '--demo']);
  });

  it('passes only the flags that are set', () => {
    expect(electronArgs({ dataDir: '/d' })).toEqual(['--data-dir', '/d']);
  });
});
