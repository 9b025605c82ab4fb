/**
 * Payload one side sent again and again that the other side never acknowledged (docs/tcp-analysis.md,
 * "Unacknowledged data"): what an MTU black hole, a middlebox dropping one direction or a dead peer
 * leaves in a capture. The connection keeps, per direction, since when payload has waited for an
 * ACK (`unackedSince`) and how often it was re-sent since the other side's ACK last moved (`resends`).
 */
import type { ConnectionRecord } from '../report/schema.js';
import { NO_SEQ, type DirectionState } from './analysis.js';
import { seqDiff } from './seq.js';

/**
 * The ACK sent by the other side of `d` moved from `before` to `ack` at `t`. All of d's data
 * acknowledged: nothing waits. Part of it: the rest waited at least since now, and its re-sends
 * count again. An ACK that moved back, or the first ACK seen short of the data, changes nothing.
 */
export function acknowledged(d: DirectionState, before: number, ack: number, t: number): void {
  const all = d.nextSeq === NO_SEQ || seqDiff(d.nextSeq, ack) <= 0;
  if (!all && (before === NO_SEQ || seqDiff(ack, before) <= 0)) return;
  d.resends = 0;
  d.unackedSince = all || d.unackedSince !== d.unackedSince ? NaN : t;
}

/**
 * The record's `unacked`: a direction whose payload was re-sent and is still not acknowledged when
 * the capture ends, the other side having sent at least one ACK (a capture of one direction shows
 * none). When both directions are, the one that waited longer.
 */
export function unackedRecord(fromClient: DirectionState, fromServer: DirectionState): ConnectionRecord['unacked'] {
  const dirs = [fromClient, fromServer];
  let out: ConnectionRecord['unacked'];
  for (let d = 0; d < 2; d++) {
    const s = dirs[d];
    const ack = dirs[d ^ 1].lastAck;
    if (s.resends === 0 || s.unackedSince !== s.unackedSince || ack === NO_SEQ || s.nextSeq === NO_SEQ) continue;
    // (A FIN the other side has not acknowledged is no byte.)
    const bytes = seqDiff(s.nextSeq, ack) - (s.finSeq !== null && seqDiff(s.finSeq, ack) >= 0 ? 1 : 0);
    if (bytes <= 0 || (out && out.since <= s.unackedSince)) continue;
    out = { by: d === 0 ? 'client' : 'server', since: s.unackedSince, resends: s.resends, bytes };
  }
  return out;
}
