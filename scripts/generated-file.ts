// A committed generated file: written, or with `--check` compared, exiting 1 with `hint` when stale.
import { readFileSync, writeFileSync } from 'node:fs';

export function writeOrCheck(target: string, text: string, hint: string, wrote = `wrote ${target}`): void {
  if (process.argv.includes('--check')) {
    let current = '';
    try {
      current = readFileSync(target, 'utf8');
    } catch {
      /* missing counts as stale */
    }
    if (current !== text) {
      process.stderr.write(`${hint}\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(target, text);
    process.stdout.write(`${wrote}\n`);
  }
}
