/** The Kafka every test file shares (see kafka-broker.global.ts). */
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Comma-separated bootstrap servers. */
    kafkaBrokers: string;
  }
}

/** Bootstrap servers of the test Kafka, as a list for createBus({ brokers }). */
export function kafkaBrokers(): string[] {
  return inject('kafkaBrokers').split(',');
}
