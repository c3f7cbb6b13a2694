// The station's configuration: one strict zod schema (style-anchors convention 8).
// Every object is strict, so an unknown key is an error naming its path. Every field has a default
// that runs the demonstration line, so an empty file (or none) is a valid configuration.
// Secrets are never written in the file: a string value "${env:NAME}" is replaced by the
// environment variable NAME when the file is loaded (see src/main/config/load.ts).
import { z } from 'zod';

/** Marks a field whose change only takes effect after a restart (read by docs and the settings UI). */
const restart = { requiresRestart: true } as const;

const serialTransport = z.strictObject({
  kind: z.literal('serial'),
  path: z.string().min(1).optional().describe('Port path; prefer /dev/serial/by-id/... over /dev/ttyUSBn'),
  match: z
    .strictObject({
      vendorId: z.string().regex(/^[0-9a-fA-F]{4}$/).optional(),
      productId: z.string().regex(/^[0-9a-fA-F]{4}$/).optional(),
      serialNumber: z.string().optional(),
      manufacturer: z.string().optional(),
    })
    .optional()
    .describe('Bind the device by USB fingerprint instead of a path'),
  baudRate: z.number().int().positive().default(9600),
  dataBits: z.union([z.literal(5), z.literal(6), z.literal(7), z.literal(8)]).default(8),
  parity: z.enum(['none', 'even', 'odd', 'mark', 'space']).default('none'),
  stopBits: z.union([z.literal(1), z.literal(1.5), z.literal(2)]).default(1),
});

const tcpTransport = z.strictObject({
  kind: z.literal('tcp'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
});

const mqttTransport = z.strictObject({
  kind: z.literal('mqtt').describe('Use the station broker and the topic contract in docs/mqtt-topics.md'),
});

const simulatedTransport = z.strictObject({
  kind: z.literal('simulated').describe('Built-in simulator over a real transport (demonstration line)'),
});

const wedgeTransport = z.strictObject({
  kind: z.literal('wedge').describe('USB keyboard-wedge scanner typing into the console; the console relays each line'),
});

export const TransportSchema = z.discriminatedUnion('kind', [
  serialTransport,
  tcpTransport,
  mqttTransport,
  simulatedTransport,
]);

const BarcodeSchema = z.strictObject({
  enabled: z.boolean().default(true),
  transport: z
    .discriminatedUnion('kind', [serialTransport, tcpTransport, mqttTransport, simulatedTransport, wedgeTransport])
    .prefault({ kind: 'simulated' }),
  suffix: z.enum(['CR', 'LF', 'CRLF', 'NONE']).default('CRLF').describe('Line terminator the reader sends'),
  prefix: z.string().default('').describe('Characters the reader puts before every code; stripped'),
  interByteTimeoutMs: z.number().int().positive().default(50).describe('Framing when suffix is NONE'),
  waybillPattern: z
    .string()
    .default('^[A-Z0-9]{8,40}$')
    .describe('Regular expression a logisticsNo must match')
    .refine((s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression'),
  noReadStrings: z.array(z.string()).default(['NOREAD', 'NR', 'ERROR']),
  duplicateWindowMs: z.number().int().nonnegative().default(2000).describe('The same code again within this window is one read'),
  maxLineBytes: z.number().int().min(16).max(65536).default(512).describe('Longer lines are discarded, not truncated'),
  codeSeparator: z.string().max(4).default(',').describe('Separator between several codes in one line (multi-code readers); "" for none'),
});

const ScannerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  images: z
    .discriminatedUnion('kind', [
      mqttTransport,
      simulatedTransport,
      z.strictObject({
        kind: z.literal('folder'),
        path: z.string().min(1).describe('Export folder the scanner writes images into'),
        settleMs: z.number().int().positive().default(500).describe('A file is read only after its size and mtime stood still this long'),
        pairWaitMs: z.number().int().positive().default(5000).describe('How long a _high file waits for its _low partner'),
      }),
    ])
    .prefault({ kind: 'simulated' }),
  status: z
    .discriminatedUnion('kind', [serialTransport, tcpTransport, simulatedTransport])
    .optional()
    .describe('Tunnel events (parcel in/out, ready, fault); line protocol in docs/serial-protocols.md'),
  maxImageBytes: z.number().int().positive().default(64 * 1024 * 1024),
  maxImagePixels: z.number().int().positive().default(50_000_000),
});

const ScaleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  transport: z.discriminatedUnion('kind', [serialTransport, tcpTransport, simulatedTransport]).prefault({ kind: 'simulated' }).describe('Serial, or TCP through a serial server (ser2net)'),
  protocol: z.enum(['continuous', 'mt-sics']).default('continuous').describe('continuous: "ST,GS,+0001.234kg" stream; mt-sics: S/SI request-response'),
  stableReadings: z.number().int().min(1).default(3).describe('Readings that must agree before a weight counts as stable'),
  stableToleranceKg: z.number().nonnegative().default(0.005),
  pollMs: z.number().int().nonnegative().default(250).describe('mt-sics: poll SI this often for the live weight (0: only on request)'),
  requestTimeoutMs: z.number().int().positive().default(1000),
});

const ModbusMapSchema = z.strictObject({
  unitId: z.number().int().min(0).max(247).default(1),
  releaseCoil: z.number().int().nonnegative().default(0).describe('Set by the station after writing the parcel id; the PLC clears it'),
  holdCoil: z.number().int().nonnegative().default(1),
  parcelIdRegister: z.number().int().nonnegative().default(0).describe('Two holding registers: parcel id high word, low word'),
  ackRegister: z.number().int().nonnegative().default(2).describe('Three holding registers: acked parcel id high, low, result (1 REL, 2 HLD, +0x8000 refused)'),
  heartbeatRegister: z.number().int().nonnegative().default(5).describe('Station heartbeat counter'),
  conveyorHeartbeatRegister: z.number().int().nonnegative().default(6).describe('PLC heartbeat counter'),
});

const ConveyorSchema = z.strictObject({
  enabled: z.boolean().default(true),
  transport: z
    .discriminatedUnion('kind', [
      serialTransport,
      mqttTransport,
      simulatedTransport,
      z.strictObject({ kind: z.literal('modbus-tcp'), host: z.string().min(1), port: z.number().int().default(502) }),
      serialTransport.extend({ kind: z.literal('modbus-rtu') }),
    ])
    .prefault({ kind: 'simulated' }),
  modbus: ModbusMapSchema.prefault({}),
  ackTimeoutMs: z.number().int().positive().default(500),
  heartbeatMs: z.number().int().positive().default(1000).describe('Both ways; the conveyor must HOLD everything after heartbeatMissLimit missed station beats'),
  heartbeatMissLimit: z.number().int().min(1).default(3),
});

const SupervisionSchema = z.strictObject({
  backoffBaseMs: z.number().int().positive().default(200).describe('First reconnect delay; doubles per failed attempt'),
  backoffMaxMs: z.number().int().positive().default(30_000).describe('Reconnect delay cap'),
  jitter: z.number().min(0).max(1).default(0.5).describe('Fraction of each delay randomised'),
  restartBudget: z.number().int().positive().default(10).describe('Reconnects per minute before a device cools down for backoffMaxMs'),
});

export const ConfigSchema = z.strictObject({
  version: z.literal(1).default(1).describe('Configuration file format version'),
  station: z
    .strictObject({
      id: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - only (it is part of MQTT topics)')
        .default('demo-01')
        .meta(restart),
      lineId: z.string().min(1).max(64).default('line-1'),
      loctNo: z.string().optional().describe('Supervised-site code (CEB loctNo) where the station stands'),
      timezone: z.string().default('Asia/Shanghai'),
    })
    .prefault({}),
  dataDir: z.string().optional().describe('Data folder; the --data-dir flag wins, then STATION_DATA_DIR').meta(restart),
  devices: z
    .strictObject({
      barcode: BarcodeSchema.prefault({}),
      scanner: ScannerSchema.prefault({}),
      scale: ScaleSchema.prefault({}),
      conveyor: ConveyorSchema.prefault({}),
      supervision: SupervisionSchema.prefault({}),
    })
    .prefault({}),
  mqtt: z
    .strictObject({
      url: z.string().optional().describe('External broker, e.g. mqtt://broker:1883; absent: run the embedded broker'),
      embeddedPort: z.number().int().min(0).max(65535).default(1883),
      prefix: z.string().regex(/^[A-Za-z0-9_/-]+$/).default('station'),
      username: z.string().optional(),
      password: z.string().optional().describe('Use "${env:NAME}"; never write the secret in the file'),
      maxBackoffMs: z.number().int().positive().default(30_000).describe('Reconnect delay cap (exponential backoff with jitter)'),
    })
    .prefault({}),
  central: z
    .strictObject({
      url: z.string().optional().describe('Central clearance service; absent: the local reference service'),
      token: z.string().optional().describe('Use "${env:NAME}"'),
      publicKey: z.string().optional().describe('Pinned Ed25519 public key of the central service: PEM text or a file path'),
      clientCert: z.string().optional().describe('Mutual TLS: client certificate, PEM text or a file path'),
      clientKey: z.string().optional().describe('Mutual TLS: client private key, PEM text or a file path'),
      caCert: z.string().optional().describe('CA that signed the central server certificate, PEM text or a file path'),
      syncIntervalMs: z.number().int().positive().default(2000),
      batchSize: z.number().int().min(1).max(1000).default(200).describe('Outbox items per request'),
      pullLimit: z.number().int().min(1).max(5000).default(500).describe('Delta items asked for per request'),
      requestTimeoutMs: z.number().int().positive().default(10_000).describe('Whole-request limit: connect, send and read the answer'),
      backoffBaseMs: z.number().int().positive().default(500).describe('First retry delay after a failed exchange; doubles per failure'),
      backoffMaxMs: z.number().int().positive().default(60_000).describe('Cap on the retry delay (full jitter below it)'),
      offlineAfterFailures: z.number().int().min(1).default(3).describe('Consecutive failed exchanges before the link counts as offline'),
    })
    .prefault({}),
  timing: z
    .strictObject({
      beltSpeedMps: z.number().positive().default(0.3),
      tunnelToDiverterM: z.number().positive().default(3.0),
      decisionMarginMs: z.number().int().nonnegative().default(500).describe('Signal must leave this long before the parcel reaches the diverter'),
      operatorReviewMs: z.number().int().positive().default(6000),
      correlationWindowMs: z.number().int().positive().default(1500),
      barcodeToTunnelM: z.number().nonnegative().default(0.5),
    })
    .prefault({}),
  rules: z
    .strictObject({
      packPath: z.string().optional().describe('Rule pack JSON; absent: the built-in pack'),
      weightToleranceKg: z.number().nonnegative().default(0.1),
      weightToleranceRel: z.number().nonnegative().default(0.1),
      weightAlertKg: z.number().nonnegative().default(0.03),
      staleDataHours: z.number().positive().default(24),
      staleDataAction: z.enum(['HOLD', 'ALERT']).default('HOLD'),
      samplingRate: z.number().min(0).max(1).default(0),
      samplingSeed: z.string().default('demo-sampling-seed'),
      reviewBand: z
        .strictObject({ low: z.number().min(0).max(1).default(0.3), high: z.number().min(0).max(1).default(0.6) })
        .prefault({})
        .refine((b) => b.low <= b.high, 'low must not exceed high'),
      aeoEnterprises: z.array(z.string()).default([]),
      undervaluationAction: z
        .enum(['HOLD', 'ALERT'])
        .default('HOLD')
        .describe('M05 (declared value below the price floor): divert, or release and record an alert'),
      weightRequired: z
        .boolean()
        .default(true)
        .describe('Hold (W01) a parcel with no measured weight; set false only on lines without a scale'),
      pixelSizeMm: z
        .number()
        .positive()
        .default(1)
        .describe('Scanner pixel pitch at belt level in mm, for size rules such as the knife blade rule'),
    })
    .prefault({}),
  inspection: z
    .strictObject({
      modelDir: z.string().optional().describe('Model folder with model.onnx and manifest.json; absent: the shipped model'),
      classThresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
      inferenceTimeoutMs: z.number().int().positive().default(2000),
      workers: z.number().int().min(1).max(8).default(2).describe('Inference worker threads, each its own onnxruntime session (one intra-op thread) that also decodes and letterboxes; images queue for the next idle one. 2 measured best on 2 cores at 25 parcels/s'),
    })
    .prefault({}),
  console: z
    .strictObject({
      host: z.string().default('127.0.0.1').describe('Bind address; anything but loopback requires operator login'),
      port: z.number().int().min(0).max(65535).default(8080),
    })
    .prefault({}),
  retention: z
    .strictObject({
      imageDays: z.number().positive().default(30).describe('X-ray images of synced parcels are deleted after this many days (fractions allowed)'),
      maxImageStoreMb: z.number().int().positive().default(20_000).describe('Oldest synced images are deleted first when the store grows past this'),
      recordDays: z.number().positive().default(365).describe('Synced parcels, declarations and audit records (moved to audit-archive/) older than this leave the database'),
      intervalMinutes: z.number().positive().default(15).describe('How often the retention job runs'),
    })
    .prefault({})
    .describe('Never deletes what has not been synced to the central service'),
});

export type StationConfig = z.output<typeof ConfigSchema>;
export type StationConfigInput = z.input<typeof ConfigSchema>;
export type TransportConfig = z.output<typeof TransportSchema>;

/** Decision deadline from belt geometry: time from tunnel exit to the diverter, minus the margin. */
export function decisionDeadlineMs(t: StationConfig['timing']): number {
  return Math.max(0, Math.round((t.tunnelToDiverterM / t.beltSpeedMps) * 1000) - t.decisionMarginMs);
}
