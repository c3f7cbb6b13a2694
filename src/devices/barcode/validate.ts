// Waybill-number validation against the configured pattern. The pattern is anchored here so a
// configuration without ^…$ cannot accept a waybill buried in noise.
import { StationError } from '../../shared/errors.ts';
import { DeviceErrorCodes } from '../../shared/devices.ts';

export function waybillValidator(pattern: string): (code: string) => boolean {
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw new StationError(DeviceErrorCodes.DEVICE_CONFIG, `devices.barcode.waybillPattern is not a valid regular expression: ${(e as Error).message}`, { pattern });
  }
  return (code) => code.length <= 256 && re.test(code);
}
