// The ordered list of schema migrations. Files are named NNNN-slug.ts, numbered in steps of 10,
// each exporting one Migration; add new ones at the end and never edit a released one.
import type { Db } from '../db.ts';
import { m0010 } from './0010-core.ts';

export interface Migration {
  version: number;
  name: string;
  up(db: Db): void;
}

export const migrations: readonly Migration[] = [m0010];
