import { listSerialPorts } from '../../../devices/discovery.ts';
import { writeJson, writeLine, type Command } from '../command.ts';

export const portsCommand: Command = {
  name: 'ports',
  summary: 'list serial ports with vendor/product id, serial number and /dev/serial/by-id path',
  usage: '[--json]',
  details:
    'Use the by-id path or the vendor/product id and serial number in the config (devices.*.transport:\n' +
    '{kind: serial, match: {vendorId, productId, serialNumber}}) so a device keeps its binding when\n' +
    '/dev/ttyUSBn numbers change after a replug or reboot.',
  async run(ctx) {
    const ports = await listSerialPorts();
    if (ctx.json) {
      writeJson(ctx, { ports });
      return 0;
    }
    if (ports.length === 0) {
      writeLine(ctx.stdout, 'no serial ports found (plug the reader in, or check permissions on /dev/tty*)');
      return 0;
    }
    for (const p of ports) {
      const id = [p.vendorId && `vid ${p.vendorId}`, p.productId && `pid ${p.productId}`, p.serialNumber && `serial ${p.serialNumber}`, p.manufacturer].filter(Boolean).join(', ');
      writeLine(ctx.stdout, `${p.path}${p.byId ? `  (${p.byId})` : ''}${id ? `  ${id}` : ''}`);
    }
    return 0;
  },
};
