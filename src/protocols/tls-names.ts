/** Names for TLS numbers. */

export function tlsVersionName(v: number): string {
  switch (v) {
    case 0x0002: return 'SSL 2.0';
    case 0x0300: return 'SSL 3.0';
    case 0x0301: return 'TLS 1.0';
    case 0x0302: return 'TLS 1.1';
    case 0x0303: return 'TLS 1.2';
    case 0x0304: return 'TLS 1.3';
    default:
      if ((v & 0xff00) === 0x7f00) return `TLS 1.3 draft ${v & 0xff}`;
      return `0x${v.toString(16).padStart(4, '0')}`;
  }
}

/** GREASE values (RFC 8701): 0x0a0a, 0x1a1a, …, 0xfafa. */
export function isGrease(v: number): boolean {
  return (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
}

const ALERTS: Record<number, string> = {
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 21: 'decryption_failed',
  22: 'record_overflow', 30: 'decompression_failure', 40: 'handshake_failure', 41: 'no_certificate',
  42: 'bad_certificate', 43: 'unsupported_certificate', 44: 'certificate_revoked',
  45: 'certificate_expired', 46: 'certificate_unknown', 47: 'illegal_parameter', 48: 'unknown_ca',
  49: 'access_denied', 50: 'decode_error', 51: 'decrypt_error', 60: 'export_restriction',
  70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error',
  86: 'inappropriate_fallback', 90: 'user_canceled', 100: 'no_renegotiation',
  109: 'missing_extension', 110: 'unsupported_extension', 112: 'unrecognized_name',
  113: 'bad_certificate_status_response', 115: 'unknown_psk_identity', 116: 'certificate_required',
  120: 'no_application_protocol',
};

export function alertDescription(n: number): string {
  return ALERTS[n] ?? `alert_${n}`;
}

export function alertLevel(n: number): string {
  return n === 1 ? 'warning' : n === 2 ? 'fatal' : `level_${n}`;
}
