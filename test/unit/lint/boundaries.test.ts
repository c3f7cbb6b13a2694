import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function importErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: `${root}${file}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries between the process folders', () => {
  it('keeps src/shared free of Node built-ins, Electron and the other folders', async () => {
    expect(await importErrors('src/shared/x.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n")).toHaveLength(1);
    expect(await importErrors('src/shared/x.ts', "import { startStation } from '../main/station.ts';\nexport const s = startStation;\n")).toHaveLength(1);
  });

  it('keeps Electron and the core out of the device drivers', async () => {
    expect(await importErrors('src/devices/x.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await importErrors('src/devices/x.ts', "import { startStation } from '../main/station.ts';\nexport const s = startStation;\n")).toHaveLength(1);
    expect(await importErrors('src/devices/x.ts', "import { createServer } from 'node:net';\nexport const c = createServer;\n")).toHaveLength(0);
  });

  it('lets only the Electron shell import Electron in src/main', async () => {
    expect(await importErrors('src/main/station2.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await importErrors('src/main/electron/window.ts', "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(0);
  });

  it('lets the renderer see only src/shared', async () => {
    expect(await importErrors('src/renderer/x.ts', "import { openDatabase } from '../main/storage/db.ts';\nexport const o = openDatabase;\n")).toHaveLength(1);
    expect(await importErrors('src/renderer/x.ts', "import { ConfigSchema } from '../shared/config/schema.ts';\nexport const c = ConfigSchema;\n")).toHaveLength(0);
  });
});
