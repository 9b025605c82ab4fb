/**
 * share/: captures made safe to attach to a public bug report (payloads past the protocol
 * headers cut, credentials starred) that still give gomod-trace's diagnosis. Sits above
 * protocols/ and report/ (it uses report/redact.ts's idea of a credential); record/ and cli/ use it.
 */
export { redactCapture, bundleCapture, chooseFormat, RedactError, type RedactOptions, type RedactResult, type ShareFormat } from './redact-capture.js';
export { StreamPlan } from './plan.js';
export { maskLine, maskHeaderBlock } from './mask.js';

/** The notice record prints after the bundle is written, and keeps in meta.json. */
export function rawCaptureNotice(file: string, redacted: string | null): string {
  return redacted
    ? `${file} holds the raw traffic (payloads, cookies, tokens); ${redacted} is the shareable copy (payloads cut, credentials starred): attach that one, not ${file}`
    : `${file} holds the raw traffic (payloads, cookies, tokens): do not attach it to a public report; \`gomod-trace redact DIR\` (or record --redact-capture) writes a shareable copy`;
}
