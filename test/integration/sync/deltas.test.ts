import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigSchema } from '../../../src/shared/config/schema.ts';
import type { StationError } from '../../../src/shared/errors.ts';
import { startFaultProxy } from '../../../src/main/clearance/fault-proxy.ts';
import { startClearanceServer } from '../../../src/main/clearance/server.ts';
import { readCentralList } from '../../../src/main/sync/delta-apply.ts';
import { readCursor } from '../../../src/main/sync/inbound.ts';
import { createSyncService } from '../../../src/main/sync/setup.ts';
import { openStationDb } from '../../helpers/sync.ts';
import { tempDir } from '../../helpers/tmp.ts';

const issuedAt = '2026-03-01T10:00:00+08:00';

async function setup(opts: { pinned?: string; tamper?: boolean }) {
  const server = await startClearanceServer({ dataDir: tempDir() });
  server.addDeltas([
    { kind: 'control', op: 'upsert', key: 'SF0000000000042', data: { logisticsNo: 'SF0000000000042', kind: 'INSPECT', issuedAt, ruleId: 'R-7' } },
    { kind: 'aeo_list', op: 'upsert', key: 'EBC0001', data: { name: 'Synthetic Trading Co.', level: 'advanced' } },
  ]);
  let tampering = opts.tamper ?? false;
  const proxy = await startFaultProxy({
    upstream: server.url,
    rewrite: (path, body) => (tampering && path.startsWith('/v1/deltas') ? Buffer.from(body.toString().replace('"INSPECT"', '"RELEASE"')) : body),
  });
  const dir = tempDir();
  const db = openStationDb(dir);
  const config = ConfigSchema.parse({ station: { id: 'st-1' }, central: { url: proxy.url, publicKey: opts.pinned ?? server.key.publicKeyPem } });
  const sync = createSyncService({ db, config, dataDir: dir });
  const alarms: StationError[] = [];
  sync.on('alarm', (e) => alarms.push(e));
  const close = async () => {
    await sync.stop();
    await proxy.close();
    await server.close();
    db.close();
  };
  return { server, db, sync, alarms, close, stopTampering: () => (tampering = false) };
}

const instructions = (db: ReturnType<typeof openStationDb>) => db.prepare('SELECT logistics_no, kind, rule_id FROM control_instruction').all();

describe('central deltas', () => {
  it('are verified against the pinned key and applied with the cursor into the AED store and lists', async () => {
    const t = await setup({});
    try {
      expect(await t.sync.cycle()).toBe(true);
      expect(instructions(t.db)).toEqual([{ logistics_no: 'SF0000000000042', kind: 'INSPECT', rule_id: 'R-7' }]);
      expect([...readCentralList(t.db, 'aeo_list').keys()]).toEqual(['EBC0001']);
      expect(readCursor(t.db)).toBe(2);
      expect(t.sync.snapshot().dataAgeMs).not.toBeNull();
      expect(t.alarms).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it('are rejected whole, audited and alarmed when tampered with on the way, then applied once intact', async () => {
    const t = await setup({ tamper: true });
    try {
      await t.sync.cycle();
      expect(t.alarms.map((e) => e.code)).toEqual(['SYNC_BAD_SIGNATURE']);
      expect(instructions(t.db)).toEqual([]);
      expect(readCentralList(t.db, 'aeo_list').size).toBe(0);
      expect(readCursor(t.db)).toBe(0);
      expect(t.db.prepare("SELECT kind, subject FROM audit_log WHERE kind = 'sync.delta.rejected'").all()).toEqual([{ kind: 'sync.delta.rejected', subject: '0-2' }]);
      t.stopTampering();
      // The pull is retried after its own jittered backoff (config default base 500 ms).
      for (let i = 0; i < 50 && readCursor(t.db) === 0; i++) {
        await t.sync.cycle();
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(instructions(t.db)).toEqual([{ logistics_no: 'SF0000000000042', kind: 'INSPECT', rule_id: 'R-7' }]);
    } finally {
      await t.close();
    }
  });

  it('are rejected when signed by a key other than the pinned one', async () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const t = await setup({ pinned: other });
    try {
      expect(await t.sync.cycle()).toBe(true); // the outbox side is unaffected
      expect(t.alarms.map((e) => e.code)).toEqual(['SYNC_BAD_SIGNATURE']);
      expect(instructions(t.db)).toEqual([]);
      expect(readCursor(t.db)).toBe(0);
    } finally {
      await t.close();
    }
  });
});
