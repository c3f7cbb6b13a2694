// `station` command line: global flags, subcommand dispatch, errors to stderr with a non-zero exit.
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import type { Writable } from 'node:stream';
import { ErrorCodes, errorMessage, isStationError } from '../../shared/errors.ts';
import type { StationConfig } from '../../shared/config/schema.ts';
import { loadConfig } from '../config/load.ts';
import { resolveDataDir } from '../paths.ts';
import { commands as registry } from './commands/index.ts';
import type { Command, CommandContext } from './command.ts';

const COMMON: ParseArgsOptionsConfig = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

export interface Io {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

export function usage(commands: readonly Command[] = registry): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'station: edge inspection station for X-ray parcel lines',
    '',
    'Usage: station <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options every command takes:',
    '  --data-dir DIR   data folder (default: $STATION_DATA_DIR, the config file, or a per-user folder)',
    '  --config FILE    YAML configuration (default: embedded demonstration-line defaults)',
    '  --json           machine-readable output',
    '  -h, --help       help for a command: station <command> --help',
  ].join('\n');
}

function commandHelp(c: Command): string {
  const own = Object.entries(c.options ?? {})
    .map(([k, o]) => `  --${k}${o.type === 'string' ? ' VALUE' : ''}`)
    .join('\n');
  return [`Usage: station ${c.name} ${c.usage}`, '', c.summary + '.', ...(c.details ? ['', c.details] : []), ...(own ? ['', 'Options:', own] : [])].join('\n');
}

export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, env: process.env }, commands: readonly Command[] = registry): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${usage(commands)}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`station: unknown command "${name}"\n\n${usage(commands)}\n`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: { ...COMMON, ...command.options }, allowPositionals: command.positionals ?? false, strict: true });
  } catch (e) {
    io.stderr.write(`station ${name}: ${errorMessage(e)}\n\n${commandHelp(command)}\n`);
    return 2;
  }
  const values = parsed.values as CommandContext['values'];
  if (values.help === true) {
    io.stdout.write(`${commandHelp(command)}\n`);
    return 0;
  }
  const json = values.json === true;
  const configFile = typeof values.config === 'string' ? values.config : undefined;
  let cached: StationConfig | undefined;
  const config = (): StationConfig => (cached ??= loadConfig(configFile, io.env));
  try {
    // The data folder may come from the config file, so only read it when no flag or env gives one.
    const flagDir = typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined;
    const needConfigDir = flagDir === undefined && io.env.STATION_DATA_DIR === undefined && configFile !== undefined;
    const dataDir = resolveDataDir(flagDir, needConfigDir ? config().dataDir : undefined, io.env);
    return await command.run({ values, positionals: parsed.positionals, json, dataDir, configFile, config, stdout: io.stdout, stderr: io.stderr, env: io.env });
  } catch (e) {
    const code = isStationError(e) ? e.code : 'INTERNAL';
    if (json) io.stderr.write(`${JSON.stringify({ error: { code, message: errorMessage(e) } })}\n`);
    else io.stderr.write(`station ${name}: ${errorMessage(e)}${isStationError(e) ? '' : `\n${(e as Error)?.stack ?? ''}`}\n`);
    return isStationError(e, ErrorCodes.CLI_USAGE) ? 2 : 1;
  }
}

