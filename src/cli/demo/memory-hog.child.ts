/**
 * The memory hog itself: touches `rateMiBps` MiB of fresh memory per second (written, so it is
 * resident) until it holds `capMiB`, then holds it; exits after `seconds` or on SIGINT / SIGTERM.
 * Arguments: <rateMiBps> <capMiB> <seconds>.
 */
const [rateMiBps, capMiB, seconds] = process.argv.slice(2).map(Number) as [number, number, number];
const tickMs = 100;
const chunkBytes = Math.max(1, Math.round((rateMiBps * 1024 * 1024 * tickMs) / 1000));
const capBytes = capMiB * 1024 * 1024;
const held: Buffer[] = [];
let heldBytes = 0;

process.title = 'vigil-memory-hog';
const timer = setInterval(() => {
  if (heldBytes + chunkBytes > capBytes) return;
  held.push(Buffer.allocUnsafe(chunkBytes).fill(0xa5));
  heldBytes += chunkBytes;
}, tickMs);
const stop = (): void => {
  clearInterval(timer);
  process.exit(0);
};
setTimeout(stop, seconds * 1000);
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
