import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { byIdAliases, isUnstablePath, matchPorts, resolveSerialPath, sysfsPorts, type PortInfo } from '../../../src/devices/discovery.ts';
import { tempDir } from '../../helpers/tmp.ts';

// What `serialport list` reports on a line PC with two identical FTDI adapters and a CDC barcode reader.
const PORTS: PortInfo[] = [
  { path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001', serialNumber: 'A10K4F2B', manufacturer: 'FTDI', byId: '/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K4F2B-if00-port0' },
  { path: '/dev/ttyUSB1', vendorId: '0403', productId: '6001', serialNumber: 'A10K9Z77', manufacturer: 'FTDI' },
  { path: '/dev/ttyACM0', vendorId: '05F9', productId: '4204', serialNumber: 'S22A01', manufacturer: 'Datalogic ADC, Inc.' },
];

describe('serial discovery', () => {
  it('matches fingerprints case-insensitively and by manufacturer substring', () => {
    expect(matchPorts(PORTS, { vendorId: '05f9' }).map((p) => p.path)).toEqual(['/dev/ttyACM0']);
    expect(matchPorts(PORTS, { vendorId: '0403', productId: '6001' }).length).toBe(2);
    expect(matchPorts(PORTS, { vendorId: '0403', serialNumber: 'A10K9Z77' }).map((p) => p.path)).toEqual(['/dev/ttyUSB1']);
    expect(matchPorts(PORTS, { manufacturer: 'datalogic' }).map((p) => p.path)).toEqual(['/dev/ttyACM0']);
    expect(matchPorts(PORTS, {})).toEqual([]);
  });

  it('resolves a fingerprint to the by-id path, and refuses ambiguous or missing matches by name', async () => {
    const lister = async () => PORTS;
    await expect(resolveSerialPath({ match: { serialNumber: 'A10K4F2B' } }, lister)).resolves.toBe('/dev/serial/by-id/usb-FTDI_FT232R_USB_UART_A10K4F2B-if00-port0');
    await expect(resolveSerialPath({ match: { vendorId: '05F9' } }, lister)).resolves.toBe('/dev/ttyACM0');
    await expect(resolveSerialPath({ match: { vendorId: '0403' } }, lister)).rejects.toMatchObject({ code: 'DEVICE_CONFIG', message: expect.stringMatching(/fits 2 ports.*add serialNumber/) });
    await expect(resolveSerialPath({ match: { vendorId: '1a86' } }, lister)).rejects.toMatchObject({ code: 'DEVICE_NOT_FOUND', message: expect.stringMatching(/ttyUSB0 0403:6001/) });
    await expect(resolveSerialPath({ match: { vendorId: '1a86' }, path: '/dev/serial/by-id/x' }, lister)).resolves.toBe('/dev/serial/by-id/x');
    await expect(resolveSerialPath({}, lister)).rejects.toMatchObject({ code: 'DEVICE_CONFIG' });
    expect([isUnstablePath('/dev/ttyUSB3'), isUnstablePath('/dev/serial/by-id/usb-x')]).toEqual([true, false]);
  });

  it('reads fingerprints from a sysfs tree and by-id aliases from symlinks', () => {
    const root = tempDir();
    const usb = join(root, 'devices/usb1/1-1');
    mkdirSync(join(usb, '1-1:1.0/ttyUSB0'), { recursive: true });
    for (const [f, v] of Object.entries({ idVendor: '0403', idProduct: '6001', serial: 'A10K4F2B', manufacturer: 'FTDI' })) writeFileSync(join(usb, f), `${v}\n`);
    mkdirSync(join(root, 'class/tty/ttyUSB0'), { recursive: true });
    symlinkSync(join(usb, '1-1:1.0'), join(root, 'class/tty/ttyUSB0/device'));
    mkdirSync(join(root, 'class/tty/tty0'), { recursive: true }); // virtual console: no device link
    expect(sysfsPorts(join(root, 'class/tty'))).toEqual([{ path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001', serialNumber: 'A10K4F2B', manufacturer: 'FTDI' }]);

    const byId = join(root, 'by-id');
    mkdirSync(byId);
    writeFileSync(join(root, 'ttyFAKE0'), '');
    symlinkSync(join(root, 'ttyFAKE0'), join(byId, 'usb-Vendor_Reader_123-if00'));
    symlinkSync(join(root, 'gone'), join(byId, 'usb-dangling'));
    expect([...byIdAliases(byId)]).toEqual([[join(root, 'ttyFAKE0'), join(byId, 'usb-Vendor_Reader_123-if00')]]);
  });
});
