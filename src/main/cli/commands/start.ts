import { installFaultClock } from '../../clock.ts';
import { electronArgs, electronAvailable, runElectron } from '../../electron/launch.ts';
import { startStation } from '../../station.ts';
import { writeJson, writeLine, type Command } from '../command.ts';

export const startCommand: Command = {
  name: 'start',
  summary: 'run the station: the desktop console where Electron is installed, else headless',
  usage: '[--config FILE] [--data-dir DIR] [--headless] [--demo [--demo-rate R] [--demo-seed S]] [--port N]',
  details:
    'Without --config the station runs the demonstration line on its embedded defaults: simulated\n' +
    'scanner, barcode reader, scale and conveyor over real transports, an embedded MQTT broker and a\n' +
    'local reference clearance service. --demo also seeds the console accounts operator, supervisor\n' +
    'and admin (password = name; loopback only). Headless, the console is served on the printed URL.\n' +
    'Ctrl-C stops cleanly. With --json one line with the URLs is printed once it is listening.\n' +
    '--demo-rate R plays R parcels/s (default 0.5); above 2/s, as in `station bench`, reads are tagged\n' +
    'with the tunnel sequence over MQTT, images go as binary MQTT and 4 renders are reused.\n' +
    '--demo-seed S picks the demonstration waybills (fault campaigns give each restart its own).',
  options: { headless: { type: 'boolean' }, demo: { type: 'boolean' }, port: { type: 'string' }, 'demo-rate': { type: 'string' }, 'demo-seed': { type: 'string' } },
  async run(ctx) {
    const config = ctx.config();
    const port = typeof ctx.values.port === 'string' ? Number(ctx.values.port) : undefined;
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      writeLine(ctx.stderr, `station start: --port must be an integer 0-65535, got ${String(ctx.values.port)}`);
      return 2;
    }
    const demo = ctx.values.demo === true;
    const rate = typeof ctx.values['demo-rate'] === 'string' ? Number(ctx.values['demo-rate']) : undefined;
    const seed = typeof ctx.values['demo-seed'] === 'string' ? Number(ctx.values['demo-seed']) : undefined;
    if ((rate !== undefined && !(Number.isFinite(rate) && rate > 0 && rate <= 100)) || (seed !== undefined && !(Number.isInteger(seed) && seed >= 0))) {
      writeLine(ctx.stderr, 'station start: --demo-rate must be a number in (0, 100] and --demo-seed a non-negative integer');
      return 2;
    }
    const fast = rate !== undefined && rate > 2;
    const demoOpts = demo && (rate !== undefined || seed !== undefined)
      ? { ...(rate !== undefined ? { rate } : {}), ...(seed !== undefined ? { seed } : {}), ...(fast ? { taggedReads: true, imageMode: 'binary' as const, poolSize: 4 } : {}) }
      : demo;
    if (ctx.values.headless !== true && electronAvailable()) {
      return runElectron(electronArgs({ dataDir: ctx.dataDir, configFile: ctx.configFile, port, demo }), { log: (l) => writeLine(ctx.stderr, l) });
    }
    // A stray rejection somewhere in a driver must not take the whole line down: log it loudly and
    // carry on (every parcel path has its own fail-safe HOLD).
    installFaultClock(ctx.env, (l) => writeLine(ctx.stderr, l));
    process.on('unhandledRejection', (e) => writeLine(ctx.stderr, `station: unhandled rejection (kept running): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
    const station = await startStation({ config, dataDir: ctx.dataDir, ...(port !== undefined ? { port } : {}), demo: demoOpts, log: (l) => writeLine(ctx.stderr, l) });
    if (ctx.json) writeJson(ctx, { url: station.url, health: `${station.url}health`, metrics: `${station.url}metrics`, station: config.station.id, dataDir: ctx.dataDir });
    else {
      writeLine(ctx.stdout, `station ${config.station.id} (${config.station.lineId}) running headless`);
      writeLine(ctx.stdout, `  console: ${station.url}`);
      writeLine(ctx.stdout, `  health:  ${station.url}health    metrics: ${station.url}metrics`);
      writeLine(ctx.stdout, `  data:    ${ctx.dataDir}`);
      writeLine(ctx.stdout, '  Ctrl-C to stop.');
    }
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await station.stop();
    if (!ctx.json) writeLine(ctx.stdout, 'stopped cleanly.');
    // Everything is closed and flushed, but serialport can leave a read pending on a closed tty
    // (seen with socat ptys) that keeps Node alive forever. The timer is unref'd: a loop that
    // drains on its own exits at once; one held open only by such a handle exits after 3 s.
    setTimeout(() => process.exit(process.exitCode ?? 0), 3000).unref();
    return 0;
  },
};
