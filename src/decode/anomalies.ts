/**
 * Named decode anomalies (Zeek "weird" style: stable, protocol-prefixed). A packet cut by the snap
 * length is *truncated* (DecodedPacket.truncated), never one of these: these mean the bytes that are
 * present contradict themselves.
 */
import type { DecodedPacket } from './types.js';

export const LINK_unsupported_type = 'LINK_unsupported_type';
export const LINK_too_short = 'LINK_too_short';
export const LINK_bad_address_family = 'LINK_bad_address_family';
export const IP_bad_version = 'IP_bad_version';
export const IPv4_bad_header_length = 'IPv4_bad_header_length';
export const IPv4_bad_total_length = 'IPv4_bad_total_length';
export const IPv4_total_length_exceeds_frame = 'IPv4_total_length_exceeds_frame';
export const IPv6_payload_length_exceeds_frame = 'IPv6_payload_length_exceeds_frame';
export const IPv6_bad_extension_header = 'IPv6_bad_extension_header';
export const TCP_bad_data_offset = 'TCP_bad_data_offset';
export const TCP_header_exceeds_ip = 'TCP_header_exceeds_ip';
export const TCP_option_bad_length = 'TCP_option_bad_length';
export const UDP_bad_length = 'UDP_bad_length';
export const UDP_length_exceeds_ip = 'UDP_length_exceeds_ip';

const NONE: string[] = [];
Object.freeze(NONE);
/** Shared empty list for clean packets (frozen: copy before adding). */
export const NO_ANOMALIES: string[] = NONE;

export function addAnomaly(p: DecodedPacket, name: string): void {
  if (p.anomalies === NO_ANOMALIES) p.anomalies = [name];
  else if (!p.anomalies.includes(name)) p.anomalies.push(name);
}
