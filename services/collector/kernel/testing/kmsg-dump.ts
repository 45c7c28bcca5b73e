/** A /dev/kmsg dump as recorded (one read per record): a record starts at a line not beginning with a space. */
export function kmsgRecordsOf(dump: string): string[] {
  return dump.split(/\n(?! )/).filter((text) => text !== '').map((text) => `${text}\n`);
}
