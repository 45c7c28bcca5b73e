/** Every node, CPU, I/O, network, kernel and Kubernetes rule, for tests that run them all on one scene. */
import type { Evidence, Finding } from '../../core/evidence.js';
import { conntrackNearFull } from '../conntrack-near-full.js';
import { cpuLimitTooLow } from '../cpu-limit-too-low.js';
import { cpuThrottleBursts } from '../cpu-throttle-bursts.js';
import { crashloopAfterOomKilled } from '../crashloop-after-oomkilled.js';
import { dirtyWritebackBurst } from '../dirty-writeback-burst.js';
import { diskNearlyFull } from '../disk-nearly-full.js';
import { evictionNodePressure } from '../eviction-node-pressure.js';
import { fdExhaustion } from '../fd-exhaustion.js';
import { hungTasks } from '../hung-tasks.js';
import { ioHogProcess } from '../io-hog-process.js';
import { listenQueueOverflow } from '../listen-queue-overflow.js';
import { loadFromDState } from '../load-from-d-state.js';
import { pidExhaustion } from '../pid-exhaustion.js';
import { runqueueNoisyNeighbour } from '../runqueue-noisy-neighbour.js';
import { tcpRetransmitDrops } from '../tcp-retransmit-drops.js';

export const nodeRules: Record<string, (evidence: Evidence) => Finding | undefined> = {
  cpuLimitTooLow,
  cpuThrottleBursts,
  loadFromDState,
  runqueueNoisyNeighbour,
  dirtyWritebackBurst,
  ioHogProcess,
  diskNearlyFull,
  tcpRetransmitDrops,
  listenQueueOverflow,
  conntrackNearFull,
  pidExhaustion,
  hungTasks,
  fdExhaustion,
  crashloopAfterOomKilled,
  evictionNodePressure,
};
