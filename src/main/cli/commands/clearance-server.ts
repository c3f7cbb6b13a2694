import { FaultRatesSchema } from '../../../shared/sync-api.ts';
import { ErrorCodes, StationError } from '../../../shared/errors.ts';
import { startClearanceServer } from '../../clearance/server.ts';
import { writeJson, writeLine, type Command } from '../command.ts';

const FAULT_FLAGS = {
  'fault-delay': 'delay',
  'fault-delay-ms': 'delayMs',
  'fault-5xx': 'error5xx',
  'fault-drop': 'drop',
  'fault-truncate': 'truncate',
  'fault-garble': 'garble',
  'fault-seed': 'seed',
} as const;

export const clearanceServerCommand: Command = {
  name: 'clearance-server',
  summary: 'run the reference central clearance service (sync API, signed deltas, fault injection)',
  usage: '[--port N] [--host H] [--data-dir DIR] [--token T]... [--admin-token T] [--fault-* R] [--tls-cert F --tls-key F [--tls-ca F]] [--json]',
  details:
    'Stores station items exactly once in <data-dir>/clearance.db and serves signed deltas; the API is\n' +
    'docs/sync-api.yaml, the protocol docs/sync.md. Its Ed25519 public key is written to\n' +
    '<data-dir>/keys/central-ed25519.pub.pem: pin it in the station config as central.publicKey.\n' +
    'Without --token (or CLEARANCE_TOKEN) it accepts requests without authentication (demonstration only).\n' +
    'Fault rates are probabilities per request (0-1): --fault-delay (with --fault-delay-ms), --fault-5xx,\n' +
    '--fault-drop, --fault-truncate, --fault-garble; --fault-seed makes them repeatable. They can be\n' +
    'changed while running with POST /v1/admin/faults. With --tls-ca, clients need a certificate it signed.',
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    token: { type: 'string', multiple: true },
    'admin-token': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-ca': { type: 'string' },
    ...Object.fromEntries(Object.keys(FAULT_FLAGS).map((k) => [k, { type: 'string' as const }])),
  },
  async run(ctx) {
    const v = ctx.values;
    const port = v.port === undefined ? 8790 : Number(v.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StationError(ErrorCodes.CLI_USAGE, `--port must be an integer 0-65535, got ${String(v.port)}`);
    const faults: Record<string, number> = {};
    for (const [flag, field] of Object.entries(FAULT_FLAGS)) {
      if (typeof v[flag] === 'string') faults[field] = Number(v[flag]);
    }
    const parsed = FaultRatesSchema.safeParse(faults);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const flag = Object.entries(FAULT_FLAGS).find(([, f]) => f === issue.path[0])?.[0] ?? 'fault';
      throw new StationError(ErrorCodes.CLI_USAGE, `--${flag}: ${issue.message}`);
    }
    const tokens = Array.isArray(v.token) ? (v.token as string[]) : ctx.env.CLEARANCE_TOKEN ? [ctx.env.CLEARANCE_TOKEN] : [];
    const tlsCert = typeof v['tls-cert'] === 'string' ? v['tls-cert'] : undefined;
    const tlsKey = typeof v['tls-key'] === 'string' ? v['tls-key'] : undefined;
    if (Boolean(tlsCert) !== Boolean(tlsKey)) throw new StationError(ErrorCodes.CLI_USAGE, '--tls-cert and --tls-key go together');
    const server = await startClearanceServer({
      dataDir: ctx.dataDir,
      host: typeof v.host === 'string' ? v.host : '127.0.0.1',
      port,
      tokens,
      adminToken: typeof v['admin-token'] === 'string' ? v['admin-token'] : undefined,
      faults: parsed.data,
      tls: tlsCert && tlsKey ? { cert: tlsCert, key: tlsKey, ca: typeof v['tls-ca'] === 'string' ? v['tls-ca'] : undefined } : undefined,
    }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') throw new StationError(ErrorCodes.CLI_USAGE, `port ${port} is in use; pass --port N (0 picks a free one)`);
      throw e;
    });
    if (ctx.json) writeJson(ctx, { url: server.url, health: `${server.url}health`, keyId: server.key.keyId, publicKey: server.key.publicKeyPem, dataDir: ctx.dataDir });
    else {
      writeLine(ctx.stdout, `clearance service listening on ${server.url}`);
      writeLine(ctx.stdout, `  health:     ${server.url}health`);
      writeLine(ctx.stdout, `  public key: ${server.key.file.replace(/\.pem$/, '.pub.pem')} (key id ${server.key.keyId})`);
      writeLine(ctx.stdout, `  data:       ${ctx.dataDir}`);
      if (tokens.length === 0) writeLine(ctx.stdout, '  WARNING: no --token: requests are not authenticated');
      writeLine(ctx.stdout, '  Ctrl-C to stop.');
    }
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  },
};
