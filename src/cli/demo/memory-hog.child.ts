/**
 * The memory hog itself: touches `rateMiBps` MiB of fresh memory per second (written, so it is
 * resident) until it holds `capMiB`, then holds it; exits after `seconds`, on SIGINT / SIGTERM, or
 * when the process that started it is gone (killed with SIGKILL it cannot forward a signal, and an
 * orphaned hog would go on growing for minutes).
 * Arguments: <rateMiBps> <capMiB> <seconds>.
 */
const [rateMiBps, capMiB, seconds] = process.argv.slice(2).map(Number) as [number, number, number];
const tickMs = 100;
const chunkBytes = Math.max(1, Math.round((rateMiBps * 1024 * 1024 * tickMs) / 1000));
const capBytes = capMiB * 1024 * 1024;
const held: Buffer[] = [];
let heldBytes = 0;

process.title = 'vigil-memory-hog';
const parentPid = process.ppid;
const timer = setInterval(() => {
  if (process.ppid !== parentPid) stop(); // reparented: our parent died
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
