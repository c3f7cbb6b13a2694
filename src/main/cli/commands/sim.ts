// `station sim barcode|scanner|scale|conveyor|line`: device simulators speaking the real protocols
// over real transports (socat pty pairs, TCP ports, the MQTT broker), with scriptable rate and
// faults, so a whole line runs on one machine. Runs until Ctrl-C or --duration.
import { ErrorCodes, StationError } from '../../../shared/errors.ts';
import { jsonLogger } from '../../../devices/log.ts';
import { SIM_KINDS, startSim, type SimKind } from '../../../devices/sim/line.ts';
import { writeJson, writeLine, type Command, type CommandContext } from '../command.ts';

function num(ctx: CommandContext, name: string, dflt: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = ctx.values[name];
  if (v === undefined) return dflt;
  const n = Number(v);
  if (typeof v !== 'string' || !Number.isFinite(n) || n < min || n > max) {
    throw new StationError(ErrorCodes.CLI_USAGE, `--${name} must be a number between ${min} and ${max}, got "${String(v)}"`);
  }
  return n;
}

function oneOf<T extends string>(ctx: CommandContext, name: string, allowed: readonly T[], dflt: T): T {
  const v = ctx.values[name];
  if (v === undefined) return dflt;
  if (!allowed.includes(v as T)) throw new StationError(ErrorCodes.CLI_USAGE, `--${name} must be one of ${allowed.join(', ')}, got "${String(v)}"`);
  return v as T;
}

export const simCommand: Command = {
  name: 'sim',
  summary: 'run device simulators (barcode, scanner, scale, conveyor, or the whole line)',
  usage: `${SIM_KINDS.join('|')} [options]`,
  positionals: true,
  details: [
    'Simulators speak the real protocols over real transports, so the station connects to them as to hardware:',
    '  barcode   reader on a socat pty pair (or --tcp PORT; also publishes scans with --mqtt)',
    '  scanner   status line (PIN/POUT/READY/FAULT) on a pty; images into a folder or over --mqtt',
    '  scale     continuous "ST,GS,+0001.234kg" output or MT-SICS S/SI (--protocol mt-sics) on a pty',
    '  conveyor  REL/HLD line protocol on a pty, MQTT topics (--mqtt), or Modbus TCP (--modbus-tcp PORT);',
    '            holds every parcel after --miss-limit missed station heartbeats (fail-safe)',
    '  line      all four together',
    'It prints the path (or port) the station should open. Rates are per second; *-rate are probabilities 0..1;',
    'times are milliseconds (--duration: seconds). Serial simulators need socat (apt-get install socat).',
    'Example: station sim line --rate 2 --noread-rate 0.05 --unplug-after 10000',
  ].join('\n'),
  options: {
    dir: { type: 'string' },
    tcp: { type: 'string' },
    mqtt: { type: 'string' },
    prefix: { type: 'string' },
    station: { type: 'string' },
    rate: { type: 'string' },
    count: { type: 'string' },
    duration: { type: 'string' },
    seed: { type: 'string' },
    'noread-rate': { type: 'string' },
    'garbage-rate': { type: 'string' },
    'duplicate-rate': { type: 'string' },
    'fault-rate': { type: 'string' },
    'unplug-after': { type: 'string' },
    'replug-after': { type: 'string' },
    suffix: { type: 'string' },
    'no-aim': { type: 'boolean' },
    protocol: { type: 'string' },
    images: { type: 'string' },
    format: { type: 'string' },
    'dual-energy': { type: 'boolean' },
    placeholder: { type: 'boolean' },
    width: { type: 'string' },
    height: { type: 'string' },
    'ack-delay': { type: 'string' },
    'no-ack': { type: 'boolean' },
    heartbeat: { type: 'string' },
    'miss-limit': { type: 'string' },
    'modbus-tcp': { type: 'string' },
  },
  async run(ctx) {
    const kind = ctx.positionals[0] as SimKind | undefined;
    if (!kind || !SIM_KINDS.includes(kind) || ctx.positionals.length > 1) {
      throw new StationError(ErrorCodes.CLI_USAGE, `say which simulator: station sim ${SIM_KINDS.join('|')} (station sim --help lists the options)`);
    }
    const mqttUrl = typeof ctx.values.mqtt === 'string' ? ctx.values.mqtt : undefined;
    const needsConfig = mqttUrl !== undefined && (ctx.values.prefix === undefined || ctx.values.station === undefined);
    const cfg = needsConfig ? ctx.config() : undefined;
    const rate = num(ctx, 'rate', kind === 'scale' ? 10 : 1, 0.001, 1000);
    const imagesDefault = mqttUrl ? 'json' : 'folder';
    const say = ctx.json ? (line: string) => writeJson(ctx, { t: new Date().toISOString(), sim: kind, msg: line }) : (line: string) => writeLine(ctx.stdout, line);
    const sim = await startSim({
      kind,
      ...(typeof ctx.values.dir === 'string' ? { dir: ctx.values.dir } : {}),
      ...(ctx.values.tcp !== undefined ? { tcpPort: num(ctx, 'tcp', 0, 0, 65535) } : {}),
      ...(mqttUrl ? { mqtt: { url: mqttUrl, prefix: (ctx.values.prefix as string | undefined) ?? cfg!.mqtt.prefix, stationId: (ctx.values.station as string | undefined) ?? cfg!.station.id } } : {}),
      ...(ctx.values['modbus-tcp'] !== undefined ? { modbusTcpPort: num(ctx, 'modbus-tcp', 1502, 1, 65535) } : {}),
      imageDelivery: oneOf(ctx, 'images', ['folder', 'json', 'binary'] as const, imagesDefault),
      image: {
        width: num(ctx, 'width', 640, 16, 8192),
        height: num(ctx, 'height', 480, 16, 8192),
        format: oneOf(ctx, 'format', ['png', 'tiff', 'jpeg', 'pnm'] as const, 'png'),
        dualEnergy: ctx.values['dual-energy'] === true,
        placeholder: ctx.values.placeholder === true,
      },
      barcode: {
        rate,
        noreadRate: num(ctx, 'noread-rate', 0, 0, 1),
        garbageRate: num(ctx, 'garbage-rate', 0, 0, 1),
        duplicateRate: num(ctx, 'duplicate-rate', 0, 0, 1),
        suffix: oneOf(ctx, 'suffix', ['CR', 'LF', 'CRLF'] as const, 'CRLF'),
        aim: ctx.values['no-aim'] !== true,
        count: num(ctx, 'count', Infinity, 1),
        seed: num(ctx, 'seed', 1),
      },
      scale: { protocol: oneOf(ctx, 'protocol', ['continuous', 'mt-sics'] as const, 'continuous'), rate: kind === 'scale' ? rate : 10, garbageRate: num(ctx, 'garbage-rate', 0, 0, 1), seed: num(ctx, 'seed', 1) },
      scanner: { rate: kind === 'scanner' ? rate : rate / 2, faultRate: num(ctx, 'fault-rate', 0, 0, 1), count: num(ctx, 'count', Infinity, 1), seed: num(ctx, 'seed', 1) },
      unplug: { afterMs: num(ctx, 'unplug-after', 0), replugMs: num(ctx, 'replug-after', 1000) },
      conveyor: { ackDelayMs: num(ctx, 'ack-delay', 5), noAck: ctx.values['no-ack'] === true, heartbeatMs: num(ctx, 'heartbeat', 1000, 10), missLimit: num(ctx, 'miss-limit', 3, 1) },
      say,
      log: jsonLogger(`sim:${kind}`, (l) => ctx.stderr.write(l)),
    });
    if (ctx.json) writeJson(ctx, { sim: kind, connect: sim.connect });
    else {
      writeLine(ctx.stdout, `station sim ${kind}: running (Ctrl-C to stop). Point the station at:`);
      for (const c of sim.connect) writeLine(ctx.stdout, `  ${c}`);
    }
    const duration = num(ctx, 'duration', 0);
    await new Promise<void>((resolve) => {
      const done = (): void => {
        process.off('SIGINT', done);
        process.off('SIGTERM', done);
        resolve();
      };
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
      if (duration > 0) setTimeout(done, duration * 1000).unref();
    });
    await sim.stop();
    return 0;
  },
};
