/**
 * Errors with a stable code, so a DLQ record, a log line and an HTTP error say the same thing.
 * `retriable` says whether trying again can help.
 */
export const errorCodes = {
  VIGIL_CONFIG: 'configuration is invalid',
  VIGIL_DECODE: 'a record could not be decoded',
  VIGIL_HANDLER: 'a record could not be processed',
  VIGIL_BUS: 'the message bus failed',
  VIGIL_SOURCE: 'a metric source could not be read',
  VIGIL_DELIVERY: 'a notification could not be delivered',
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class VigilError extends Error {
  readonly code: ErrorCode;
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; retriable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.retriable = options.retriable ?? (code === 'VIGIL_BUS' || code === 'VIGIL_DELIVERY');
  }
}

export function errorCodeOf(error: unknown, fallback: ErrorCode): ErrorCode {
  return error instanceof VigilError ? error.code : fallback;
}
