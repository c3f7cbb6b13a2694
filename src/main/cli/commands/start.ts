import { startStation } from '../../station.ts';
import { writeJson, writeLine, type Command } from '../command.ts';

export const startCommand: Command = {
  name: 'start',
  summary: 'run the station (headless: serves GET /health on the console port)',
  usage: '[--config FILE] [--data-dir DIR] [--headless] [--demo] [--port N]',
  details:
    'Without --config the station runs on its embedded demonstration defaults.\n' +
    'Ctrl-C stops it cleanly. With --json one line with the URL is printed once it is listening.',
  options: { headless: { type: 'boolean' }, demo: { type: 'boolean' }, port: { type: 'string' } },
  async run(ctx) {
    const config = ctx.config();
    const port = typeof ctx.values.port === 'string' ? Number(ctx.values.port) : undefined;
    if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65535)) {
      writeLine(ctx.stderr, `station start: --port must be an integer 0-65535, got ${String(ctx.values.port)}`);
      return 2;
    }
    const station = await startStation({ config, dataDir: ctx.dataDir, port, log: (l) => writeLine(ctx.stderr, l) });
    if (ctx.json) writeJson(ctx, { url: station.url, health: `${station.url}health`, station: config.station.id, dataDir: ctx.dataDir });
    else {
      writeLine(ctx.stdout, `station ${config.station.id} (${config.station.lineId}) running headless`);
      writeLine(ctx.stdout, `  health:  ${station.url}health`);
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
    return 0;
  },
};
