// One coded error type for the whole station (style-anchors convention 7).
// Codes are grouped by area; callers branch on `code`, never on message text.

export const ErrorCodes = {
  // CONFIG_* : configuration file and environment
  CONFIG_INVALID: 'CONFIG_INVALID',
  CONFIG_UNREADABLE: 'CONFIG_UNREADABLE',
  CONFIG_MISSING_ENV: 'CONFIG_MISSING_ENV',
  // STORAGE_* : SQLite database and files
  STORAGE_DB_FROM_FUTURE: 'STORAGE_DB_FROM_FUTURE',
  STORAGE_MIGRATION_FAILED: 'STORAGE_MIGRATION_FAILED',
  STORAGE_INTEGRITY: 'STORAGE_INTEGRITY',
  STORAGE_AUDIT_BROKEN: 'STORAGE_AUDIT_BROKEN',
  STORAGE_FULL: 'STORAGE_FULL',
  STORAGE_PERMISSIONS: 'STORAGE_PERMISSIONS',
  // IMPORT_* : advance electronic data
  IMPORT_MALFORMED: 'IMPORT_MALFORMED',
  IMPORT_WRONG_NAMESPACE: 'IMPORT_WRONG_NAMESPACE',
  IMPORT_INVALID: 'IMPORT_INVALID',
  IMPORT_UNSUPPORTED: 'IMPORT_UNSUPPORTED',
  IMPORT_UNREADABLE: 'IMPORT_UNREADABLE',
  // CLI_* : command line usage
  CLI_USAGE: 'CLI_USAGE',
  // INSPECT_* : smart image inspection (model loading, image decoding, inference worker)
  INSPECT_MODEL_MISSING: 'INSPECT_MODEL_MISSING',
  INSPECT_MODEL_INVALID: 'INSPECT_MODEL_INVALID',
  INSPECT_MODEL_HASH_MISMATCH: 'INSPECT_MODEL_HASH_MISMATCH',
  INSPECT_IMAGE_EMPTY: 'INSPECT_IMAGE_EMPTY',
  INSPECT_IMAGE_UNSUPPORTED: 'INSPECT_IMAGE_UNSUPPORTED',
  INSPECT_IMAGE_CORRUPT: 'INSPECT_IMAGE_CORRUPT',
  INSPECT_IMAGE_TOO_LARGE: 'INSPECT_IMAGE_TOO_LARGE',
  INSPECT_IMAGE_UNREADABLE: 'INSPECT_IMAGE_UNREADABLE',
  INSPECT_TIMEOUT: 'INSPECT_TIMEOUT',
  INSPECT_UNAVAILABLE: 'INSPECT_UNAVAILABLE',
  // SYNC_* : link to the central clearance service (src/main/sync, src/main/clearance)
  SYNC_TRANSPORT: 'SYNC_TRANSPORT',
  SYNC_HTTP_STATUS: 'SYNC_HTTP_STATUS',
  SYNC_PROTOCOL: 'SYNC_PROTOCOL',
  SYNC_BAD_SIGNATURE: 'SYNC_BAD_SIGNATURE',
  SYNC_CURSOR_MISMATCH: 'SYNC_CURSOR_MISMATCH',
  SYNC_DELTA_INVALID: 'SYNC_DELTA_INVALID',
  SYNC_KEY: 'SYNC_KEY',
  SYNC_KEY_MISMATCH: 'SYNC_KEY_MISMATCH',
  SYNC_CONFIG: 'SYNC_CONFIG',
  // DEVICE_*, INSPECT_*, RULES_*, SYNC_*, LINE_* are added by the areas that raise them.
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes] | `${Uppercase<string>}_${string}`;

export class StationError extends Error {
  readonly code: ErrorCode;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, context: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StationError';
    this.code = code;
    this.context = context;
  }

  toJSON(): { code: string; message: string; context: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, context: this.context };
  }
}

export function isStationError(e: unknown, code?: ErrorCode): e is StationError {
  return e instanceof StationError && (code === undefined || e.code === code);
}

/** A message for any thrown value, without stack noise. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
