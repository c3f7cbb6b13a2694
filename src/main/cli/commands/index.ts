// The `station` subcommands, in the order `station --help` lists them.
import type { Command } from '../command.ts';
import { startCommand } from './start.ts';
import { verifyCommand } from './verify.ts';

export const commands: readonly Command[] = [startCommand, verifyCommand];
