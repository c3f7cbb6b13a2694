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

export const TransportSchema = z.discriminatedUnion('kind', [
  serialTransport,
  tcpTransport,
  mqttTransport,
  simulatedTransport,
]);

const BarcodeSchema = z.strictObject({
  enabled: z.boolean().default(true),
  transport: TransportSchema.prefault({ kind: 'simulated' }),
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
  duplicateWindowMs: z.number().int().nonnegative().default(2000),
  maxLineBytes: z.number().int().min(16).max(65536).default(512),
});

const ScannerSchema = z.strictObject({
  enabled: z.boolean().default(true),
  images: z
    .discriminatedUnion('kind', [
      mqttTransport,
      simulatedTransport,
      z.strictObject({ kind: z.literal('folder'), path: z.string().min(1), settleMs: z.number().int().positive().default(500) }),
    ])
    .prefault({ kind: 'simulated' }),
  status: TransportSchema.optional().describe('Tunnel events (parcel in/out, ready, fault)'),
  maxImageBytes: z.number().int().positive().default(64 * 1024 * 1024),
  maxImagePixels: z.number().int().positive().default(50_000_000),
});

const ScaleSchema = z.strictObject({
  enabled: z.boolean().default(true),
  transport: TransportSchema.prefault({ kind: 'simulated' }),
  protocol: z.enum(['continuous', 'mt-sics']).default('continuous'),
  stableReadings: z.number().int().min(1).default(3),
  stableToleranceKg: z.number().nonnegative().default(0.005),
});

const ModbusMapSchema = z.strictObject({
  unitId: z.number().int().min(0).max(247).default(1),
  releaseCoil: z.number().int().nonnegative().default(0),
  holdCoil: z.number().int().nonnegative().default(1),
  parcelIdRegister: z.number().int().nonnegative().default(0),
  ackRegister: z.number().int().nonnegative().default(1),
  heartbeatRegister: z.number().int().nonnegative().default(2),
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
  heartbeatMs: z.number().int().positive().default(1000),
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
    })
    .prefault({}),
  mqtt: z
    .strictObject({
      url: z.string().optional().describe('External broker, e.g. mqtt://broker:1883; absent: run the embedded broker'),
      embeddedPort: z.number().int().min(0).max(65535).default(1883),
      prefix: z.string().regex(/^[A-Za-z0-9_/-]+$/).default('station'),
      username: z.string().optional(),
      password: z.string().optional().describe('Use "${env:NAME}"; never write the secret in the file'),
    })
    .prefault({}),
  central: z
    .strictObject({
      url: z.string().optional().describe('Central clearance service; absent: the local reference service'),
      token: z.string().optional().describe('Use "${env:NAME}"'),
      publicKey: z.string().optional().describe('Pinned Ed25519 public key (PEM) of the central service'),
      clientCert: z.string().optional(),
      clientKey: z.string().optional(),
      caCert: z.string().optional(),
      syncIntervalMs: z.number().int().positive().default(2000),
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
    })
    .prefault({}),
  inspection: z
    .strictObject({
      modelDir: z.string().optional().describe('Model folder with model.onnx and manifest.json; absent: the shipped model'),
      classThresholds: z.record(z.string(), z.number().min(0).max(1)).default({}),
      inferenceTimeoutMs: z.number().int().positive().default(2000),
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
      imageDays: z.number().int().positive().default(30),
      maxImageStoreMb: z.number().int().positive().default(20_000),
      recordDays: z.number().int().positive().default(365),
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
