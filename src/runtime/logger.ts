import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stderr, so stdout stays for the human-readable lines a person reads. */
export function createLogger(options: { level: string; name?: string; destination?: pino.DestinationStream }): Logger {
  return pino({ level: options.level, name: options.name ?? 'vigil', base: undefined }, options.destination ?? pino.destination(2));
}
