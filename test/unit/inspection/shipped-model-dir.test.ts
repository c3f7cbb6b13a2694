import { describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { shippedModelDir } from '../../../src/main/inspection/index.ts';
import { tempDir } from '../../helpers/tmp.ts';

describe('where the shipped model is found', () => {
  it('uses the packaged app resources when they hold the model, else the repository folder', () => {
    const repo = shippedModelDir(undefined);
    expect(repo.endsWith(`models${sep}xray-det${sep}`)).toBe(true);
    const res = tempDir();
    // resources without the model (a broken package) fall back rather than point at nothing
    expect(shippedModelDir(res)).toBe(repo);
    mkdirSync(join(res, 'models', 'xray-det'), { recursive: true });
    writeFileSync(join(res, 'models', 'xray-det', 'manifest.json'), '{}');
    expect(shippedModelDir(res)).toBe(join(res, 'models', 'xray-det') + sep);
  });
});
