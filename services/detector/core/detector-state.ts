/**
 * The encoding of a detector's whole state (SavedDetector: typed arrays, maps as entry lists,
 * plain records) into the `state` bytes of a detector.state record: Node's structured-clone
 * serialisation (node:v8, which keeps typed arrays, NaN, ±Infinity and -0 exactly) deflated. A
 * version byte leads, so a detector that meets a format it does not know says so and starts fresh.
 */
import { deserialize, serialize } from 'node:v8';
import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import type { SavedDetector } from './detector.js';

export const detectorStateFormat = 'v8-deflate/2';
/** 2: engines in one pool, series without their sources' key sets. */
const version = 2;

export function encodeDetectorState(saved: SavedDetector): Buffer {
  const body = deflateRawSync(serialize(saved), { level: constants.Z_BEST_SPEED });
  return Buffer.concat([Buffer.from([version]), body]);
}

export function decodeDetectorState(bytes: Buffer): SavedDetector {
  if (bytes.length === 0 || bytes[0] !== version) throw new Error(`detector state of version ${bytes[0] ?? 'none'}, this detector reads ${version}`);
  return deserialize(inflateRawSync(bytes.subarray(1))) as SavedDetector;
}
