/**
 * LINKTYPE_ names (tcpdump.org/linktypes.html) for the values a user is likely to meet. Unknown values
 * are named `LINKTYPE_<n>`. Whether a link type is *decoded* is decode/link.ts's business, not ours.
 */

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
export const LINKTYPE_PPP = 9;
/** DLT 12 as written by pcap/pcapng on most systems: raw IP (v4 or v6). */
export const DLT_RAW_12 = 12;
/** DLT 14: raw IP on some BSDs. */
export const DLT_RAW_14 = 14;
export const LINKTYPE_RAW = 101;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_IPV4 = 228;
export const LINKTYPE_IPV6 = 229;
export const LINKTYPE_LINUX_SLL2 = 276;

const NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'NULL'],
  [1, 'EN10MB'],
  [6, 'IEEE802'],
  [8, 'SLIP'],
  [9, 'PPP'],
  [10, 'FDDI'],
  [12, 'RAW'],
  [14, 'RAW'],
  [50, 'PPP_HDLC'],
  [51, 'PPP_ETHER'],
  [101, 'RAW'],
  [104, 'C_HDLC'],
  [105, 'IEEE802_11'],
  [108, 'LOOP'],
  [113, 'LINUX_SLL'],
  [127, 'IEEE802_11_RADIOTAP'],
  [143, 'DOCSIS'],
  [147, 'USER0'],
  [195, 'IEEE802_15_4'],
  [201, 'BLUETOOTH_HCI_H4_WITH_PHDR'],
  [220, 'USB_LINUX_MMAPPED'],
  [228, 'IPV4'],
  [229, 'IPV6'],
  [239, 'NFLOG'],
  [249, 'USBPCAP'],
  [252, 'WIRESHARK_UPPER_PDU'],
  [274, 'NETANALYZER_NG'],
  [276, 'LINUX_SLL2'],
]);

export function linkTypeName(linkType: number): string {
  return NAMES.get(linkType) ?? `LINKTYPE_${linkType}`;
}
