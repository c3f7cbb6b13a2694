// Typed events the device drivers emit (issue: devices). The core and the console consume these;
// drivers never hand out raw bytes except as `raw` for diagnostics (hex, bounded).

export const DEVICE_KINDS = ['barcode', 'scanner', 'scale', 'conveyor'] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/** Epoch milliseconds. */
export type Millis = number;

export interface BarcodeRead {
  type: 'barcode.read';
  deviceId: string;
  /** The code after prefix/symbology stripping. */
  code: string;
  /** AIM symbology identifier such as "]C1" when the reader sends one. */
  symbology?: string;
  /** False when the code does not match the configured waybill pattern (still reported: S01 decides). */
  validWaybill: boolean;
  at: Millis;
  /** The framed line as hex, for diagnostics. */
  raw: string;
  /** Tunnel photo-eye number, when the reader is triggered by the scanner and reports it. */
  seq?: number;
}

export interface BarcodeNoRead {
  type: 'barcode.noread';
  deviceId: string;
  at: Millis;
  raw: string;
  seq?: number;
}

export type BarcodeEvent = BarcodeRead | BarcodeNoRead;

export interface TunnelEvent {
  type: 'scanner.tunnel';
  deviceId: string;
  kind: 'in' | 'out';
  /** Photo-eye sequence number from the scanner; images carry the same number. */
  seq: number;
  at: Millis;
}

export interface ScannerStatus {
  type: 'scanner.status';
  deviceId: string;
  state: 'ready' | 'fault';
  faultCode?: string;
  message?: string;
  at: Millis;
}

/** 'pnm': a raw binary netpbm frame (P5 grey / P6 RGB, 8- or 16-bit), no compression to undo. */
export type ImageFormat = 'png' | 'jpeg' | 'tiff' | 'pnm';

/** One decoded X-ray view. Pixels are greyscale, row-major, 8- or 16-bit little-endian per sample. */
export interface XrayPlane {
  format: ImageFormat;
  width: number;
  height: number;
  bitDepth: 8 | 16;
  channels: number;
  /** Raw samples as decoded (bitDepth 16: Uint16 little-endian); empty when ingest is header-only. */
  pixels: Uint8Array;
  /** Size of the encoded file. */
  encodedBytes: number;
}

export interface XrayImage extends XrayPlane {
  type: 'scanner.image';
  deviceId: string;
  seq?: number;
  at: Millis;
  /**
   * When the station held the whole image (every part, before any check or decode). The line's
   * latency (image received → conveyor command) starts here; `at`, the scanner's own stamp, places
   * the parcel on the belt (correlation, deadline).
   */
  receivedAt?: Millis;
  /** Where the image came from: an MQTT topic or a file path. */
  source: string;
  /** Dual-energy scanners send a high and a low energy view; the main plane is the high one. */
  dualEnergy?: { low: XrayPlane };
  /** The encoded high (or only) image, kept for storage without re-encoding. */
  encoded: Uint8Array;
}

export interface WeightReading {
  type: 'scale.weight';
  deviceId: string;
  kg: number;
  stable: boolean;
  at: Millis;
}

export interface ScaleFault {
  type: 'scale.fault';
  deviceId: string;
  reason: 'overload' | 'underload' | 'error' | 'unsupported';
  at: Millis;
}

export type ConveyorCommandName = 'RELEASE' | 'HOLD';

export interface ConveyorCommand {
  parcelId: number;
  command: ConveyorCommandName;
  /** Epoch ms by which the divert must have been decided; informative for the controller. */
  deadline?: Millis;
  seq: number;
}

export interface ConveyorAck {
  type: 'conveyor.ack';
  deviceId: string;
  parcelId: number;
  command: ConveyorCommandName;
  ok: boolean;
  at: Millis;
}

export interface DeviceHealth {
  type: 'device.health';
  deviceId: string;
  kind: DeviceKind;
  connected: boolean;
  lastSeen: Millis | null;
  lastError: string | null;
  /** Consecutive failed connection attempts since the last success. */
  attempts: number;
  at: Millis;
}

export type DeviceEvent =
  | BarcodeEvent
  | TunnelEvent
  | ScannerStatus
  | XrayImage
  | WeightReading
  | ScaleFault
  | ConveyorAck
  | DeviceHealth;

/** Error codes the device layer raises (StationError.code). */
export const DeviceErrorCodes = {
  DEVICE_CONFIG: 'DEVICE_CONFIG',
  DEVICE_NOT_FOUND: 'DEVICE_NOT_FOUND',
  DEVICE_OPEN_FAILED: 'DEVICE_OPEN_FAILED',
  DEVICE_DISCONNECTED: 'DEVICE_DISCONNECTED',
  DEVICE_TIMEOUT: 'DEVICE_TIMEOUT',
  DEVICE_ACK_TIMEOUT: 'DEVICE_ACK_TIMEOUT',
  DEVICE_NAK: 'DEVICE_NAK',
  DEVICE_PROTOCOL: 'DEVICE_PROTOCOL',
  DEVICE_IMAGE_REJECTED: 'DEVICE_IMAGE_REJECTED',
  DEVICE_MQTT_OFFLINE: 'DEVICE_MQTT_OFFLINE',
  DEVICE_STOPPED: 'DEVICE_STOPPED',
} as const;
