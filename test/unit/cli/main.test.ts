import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import { main } from '../../../src/main/cli/main.ts';
import type { Command } from '../../../src/main/cli/command.ts';
import { StationError } from '../../../src/shared/errors.ts';

function io(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { io: { stdout, stderr, env }, out: () => out, err: () => err };
}

const seen: { dataDir?: string; json?: boolean } = {};
const probe: Command = {
  name: 'probe',
  summary: 'test command',
  usage: '[--fail]',
  options: { fail: { type: 'boolean' } },
  async run(ctx) {
    seen.dataDir = ctx.dataDir;
    seen.json = ctx.json;
    if (ctx.values.fail) throw new StationError('CONFIG_INVALID', 'probe failed on purpose');
    ctx.stdout.write('ran\n');
    return 0;
  },
};

describe('the station command line', () => {
  it('lists the commands with --help and exits 0', async () => {
    const t = io();
    expect(await main(['--help'], t.io, [probe])).toBe(0);
    expect(t.out()).toContain('probe');
    expect(t.out()).toContain('--data-dir');
  });

  it('exits 2 on an unknown command or flag, with usage on stderr', async () => {
    const a = io();
    expect(await main(['nope'], a.io, [probe])).toBe(2);
    expect(a.err()).toContain('unknown command "nope"');
    const b = io();
    expect(await main(['probe', '--bogus'], b.io, [probe])).toBe(2);
    expect(b.err()).toContain('bogus');
  });

  it('resolves --data-dir before STATION_DATA_DIR and passes --json', async () => {
    const t = io({ STATION_DATA_DIR: '/tmp/from-env' });
    expect(await main(['probe', '--data-dir', '/tmp/from-flag', '--json'], t.io, [probe])).toBe(0);
    expect(seen).toEqual({ dataDir: '/tmp/from-flag', json: true });
    const u = io({ STATION_DATA_DIR: '/tmp/from-env' });
    await main(['probe'], u.io, [probe]);
    expect(seen.dataDir).toBe('/tmp/from-env');
  });

  it('prints errors to stderr with a non-zero exit, as JSON with --json', async () => {
    const t = io();
    expect(await main(['probe', '--fail'], t.io, [probe])).toBe(1);
    expect(t.err()).toContain('probe failed on purpose');
    const j = io();
    expect(await main(['probe', '--fail', '--json'], j.io, [probe])).toBe(1);
    expect(JSON.parse(j.err())).toEqual({ error: { code: 'CONFIG_INVALID', message: 'probe failed on purpose' } });
    expect(j.out()).toBe('');
  });
});
