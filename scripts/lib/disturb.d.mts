// Types for disturb.mjs (a plain script, also run by node without a build).
import type { RawPacket } from '../../src/capture/types.js';

export function disturb(packets: RawPacket[], seed: number): RawPacket[];
