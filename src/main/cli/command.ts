// What every `station` subcommand looks like. Commands get parsed flags and a context with the
// resolved data folder and configuration; they return an exit code and never call process.exit.
import type { ParseArgsOptionsConfig } from 'node:util';
import type { Writable } from 'node:stream';
import type { StationConfig } from '../../shared/config/schema.ts';

export interface CommandContext {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  json: boolean;
  dataDir: string;
  configFile: string | undefined;
  /** Loaded lazily so commands that do not need it never fail on it. */
  config(): StationConfig;
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  summary: string;
  /** Usage lines after `station <name>`, e.g. "FILE... [--json]". */
  usage: string;
  /** Extra help text: what it does and what to do next. */
  details?: string;
  options?: ParseArgsOptionsConfig;
  positionals?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

export function writeJson(ctx: CommandContext, value: unknown): void {
  ctx.stdout.write(`${JSON.stringify(value)}\n`);
}

export function writeLine(stream: Writable, line = ''): void {
  stream.write(`${line}\n`);
}
