// The `station` subcommands, in the order `station --help` lists them.
import type { Command } from '../command.ts';
import { benchCommand } from './bench.ts';
import { clearanceServerCommand } from './clearance-server.ts';
import { decideCommand } from './decide.ts';
import { importCommand } from './import.ts';
import { inspectCommand } from './inspect.ts';
import { portsCommand } from './ports.ts';
import { simCommand } from './sim.ts';
import { startCommand } from './start.ts';
import { synthCommand } from './synth.ts';
import { userCommand } from './user.ts';
import { verifyCommand } from './verify.ts';

export const commands: readonly Command[] = [startCommand, importCommand, decideCommand, inspectCommand, benchCommand, clearanceServerCommand, synthCommand, simCommand, portsCommand, userCommand, verifyCommand];
