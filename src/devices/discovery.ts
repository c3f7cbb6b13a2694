// Serial port discovery: list ports with USB vendor/product id and serial number, and bind a
// configured device by fingerprint or by its stable /dev/serial/by-id path rather than by
// /dev/ttyUSBn, which changes with plug order. The matcher is pure; listing is the only I/O.
import { readdirSync, readFileSync, realpathSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { SerialPort } from 'serialport';
import { StationError } from '../shared/errors.ts';
import { DeviceErrorCodes } from '../shared/devices.ts';

export interface PortInfo {
  /** Kernel device path, e.g. /dev/ttyUSB0. */
  path: string;
  /** Stable /dev/serial/by-id/... alias when udev made one. */
  byId?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
}

export interface SerialMatch {
  vendorId?: string | undefined;
  productId?: string | undefined;
  serialNumber?: string | undefined;
  manufacturer?: string | undefined;
}

export type PortLister = () => Promise<PortInfo[]>;

const lc = (s: string | undefined): string | undefined => s?.toLowerCase();

/** Ports whose fingerprint matches every given field (ids case-insensitive, manufacturer substring). */
export function matchPorts(ports: readonly PortInfo[], m: SerialMatch): PortInfo[] {
  const keys = Object.entries(m).filter(([, v]) => v !== undefined);
  if (keys.length === 0) return [];
  return ports.filter(
    (p) =>
      (m.vendorId === undefined || lc(p.vendorId) === lc(m.vendorId)) &&
      (m.productId === undefined || lc(p.productId) === lc(m.productId)) &&
      (m.serialNumber === undefined || p.serialNumber === m.serialNumber) &&
      (m.manufacturer === undefined || (lc(p.manufacturer)?.includes(lc(m.manufacturer)!) ?? false)),
  );
}

/** True for kernel names that change with plug order. */
export function isUnstablePath(path: string): boolean {
  return /^\/dev\/tty(USB|ACM)\d+$/.test(path);
}

/** Picks the path to open: fingerprint first (must be unique), then the configured path. */
export async function resolveSerialPath(cfg: { path?: string | undefined; match?: SerialMatch | undefined }, lister: PortLister): Promise<string> {
  if (cfg.match && Object.values(cfg.match).some((v) => v !== undefined)) {
    const ports = await lister();
    const hits = matchPorts(ports, cfg.match);
    if (hits.length === 1) return hits[0]!.byId ?? hits[0]!.path;
    if (hits.length > 1) {
      throw new StationError(DeviceErrorCodes.DEVICE_CONFIG, `serial match ${JSON.stringify(cfg.match)} fits ${hits.length} ports (${hits.map((h) => h.path).join(', ')}); add serialNumber`, { match: cfg.match });
    }
    if (!cfg.path) {
      throw new StationError(DeviceErrorCodes.DEVICE_NOT_FOUND, `no serial port matches ${JSON.stringify(cfg.match)} (seen: ${ports.map((p) => `${p.path} ${p.vendorId ?? '?'}:${p.productId ?? '?'}`).join('; ') || 'none'})`, { match: cfg.match });
    }
  }
  if (!cfg.path) throw new StationError(DeviceErrorCodes.DEVICE_CONFIG, 'serial transport needs a path or a match', {});
  return cfg.path;
}

const read = (f: string): string | undefined => {
  try {
    return readFileSync(f, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** /dev/serial/by-id aliases: kernel path → alias. */
export function byIdAliases(dir = '/dev/serial/by-id'): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const alias = join(dir, name);
    try {
      out.set(realpathSync(alias), alias);
    } catch {
      /* dangling link: device just left */
    }
  }
  return out;
}

/** USB ports from sysfs, used when serialport's lister cannot run (it needs udevadm on Linux). */
export function sysfsPorts(root = '/sys/class/tty'): PortInfo[] {
  if (!existsSync(root)) return [];
  const out: PortInfo[] = [];
  for (const name of readdirSync(root)) {
    if (!/^tty(USB|ACM|S|AMA)\d+$/.test(name)) continue;
    let dev: string;
    try {
      dev = realpathSync(join(root, name, 'device'));
    } catch {
      continue; // virtual tty without hardware
    }
    // Walk up to the USB device directory that carries idVendor.
    let dir = dev;
    for (let i = 0; i < 6 && dir !== '/' && !existsSync(join(dir, 'idVendor')); i++) dir = join(dir, '..');
    const info: PortInfo = { path: `/dev/${name}` };
    if (existsSync(join(dir, 'idVendor'))) {
      const v = read(join(dir, 'idVendor'));
      const p = read(join(dir, 'idProduct'));
      const sn = read(join(dir, 'serial'));
      const mf = read(join(dir, 'manufacturer'));
      if (v) info.vendorId = v;
      if (p) info.productId = p;
      if (sn) info.serialNumber = sn;
      if (mf) info.manufacturer = mf;
    } else if (/^ttyS\d+$/.test(name)) {
      continue; // legacy 8250 ports without a device behind them are noise
    }
    out.push(info);
  }
  return out;
}

/** Lists serial ports with fingerprints and by-id aliases. */
export const listSerialPorts: PortLister = async () => {
  let ports: PortInfo[];
  try {
    ports = (await SerialPort.list()).map((p) => {
      const info: PortInfo = { path: p.path };
      if (p.vendorId) info.vendorId = p.vendorId;
      if (p.productId) info.productId = p.productId;
      if (p.serialNumber) info.serialNumber = p.serialNumber;
      if (p.manufacturer) info.manufacturer = p.manufacturer;
      return info;
    });
  } catch {
    ports = sysfsPorts();
  }
  const aliases = byIdAliases();
  for (const p of ports) {
    const a = aliases.get(p.path);
    if (a) p.byId = a;
  }
  return ports.sort((a, b) => basename(a.path).localeCompare(basename(b.path)));
};
