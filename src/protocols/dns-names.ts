/** Names for DNS numbers (IANA registries), raw number as `TYPE<n>` / `RCODE<n>` when unknown. */

const TYPES: Record<number, string> = {
  1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 12: 'PTR', 13: 'HINFO', 15: 'MX', 16: 'TXT', 17: 'RP',
  18: 'AFSDB', 24: 'SIG', 25: 'KEY', 28: 'AAAA', 29: 'LOC', 33: 'SRV', 35: 'NAPTR', 36: 'KX',
  37: 'CERT', 39: 'DNAME', 41: 'OPT', 42: 'APL', 43: 'DS', 44: 'SSHFP', 45: 'IPSECKEY', 46: 'RRSIG',
  47: 'NSEC', 48: 'DNSKEY', 49: 'DHCID', 50: 'NSEC3', 51: 'NSEC3PARAM', 52: 'TLSA', 55: 'HIP',
  59: 'CDS', 60: 'CDNSKEY', 64: 'SVCB', 65: 'HTTPS', 99: 'SPF', 249: 'TKEY', 250: 'TSIG',
  251: 'IXFR', 252: 'AXFR', 255: 'ANY', 256: 'URI', 257: 'CAA', 32768: 'TA', 32769: 'DLV',
};

const RCODES: Record<number, string> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED',
  6: 'YXDOMAIN', 7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE', 11: 'DSOTYPENI',
  16: 'BADVERS', 17: 'BADKEY', 18: 'BADTIME', 19: 'BADMODE', 20: 'BADNAME', 21: 'BADALG',
  22: 'BADTRUNC', 23: 'BADCOOKIE',
};

export function dnsTypeName(n: number): string {
  return TYPES[n] ?? `TYPE${n}`;
}

export function dnsRcodeName(n: number): string {
  return RCODES[n] ?? `RCODE${n}`;
}
