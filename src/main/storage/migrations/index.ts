// The ordered list of schema migrations. Files are named NNNN-slug.ts, numbered in steps of 10,
// each exporting one Migration; add new ones at the end and never edit a released one.
import type { Db } from '../db.ts';
import { m0010 } from './0010-core.ts';
import { m0020 } from './0020-advance-data.ts';
import { m0030 } from './0030-sync.ts';
import { m0040 } from './0040-console.ts';
import { m0050 } from './0050-retention.ts';

export interface Migration {
  version: number;
  name: string;
  up(db: Db): void;
}

export const migrations: readonly Migration[] = [m0010, m0020, m0030, m0040, m0050];
