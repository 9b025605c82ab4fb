/**
 * After the recording: tell the user that capture.pcap holds the raw traffic, and with
 * --redact-capture write capture.redacted.pcap (src/share/) — and with --drop-raw-capture remove
 * the raw one once the copy is safely written. A failed redaction is a warning: the recording is
 * never lost for it.
 */
import { unlinkSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { redactCapture, rawCaptureNotice } from '../share/index.js';
import { BUNDLE_FILES, type BundleMeta } from './bundle.js';

export interface ShareOutcome {
  /** Absolute path of the redacted copy, or null. */
  redacted: string | null;
  /** The one line printed after the bundle is written (also in meta.json's notices). */
  notice: string;
  warning: string | null;
}

export async function shareCapture(bundleDir: string, meta: BundleMeta, opts: { redact: boolean; dropRaw: boolean }): Promise<ShareOutcome | null> {
  if (!meta.capture) return null;
  const raw = join(bundleDir, meta.capture.file);
  if (!existsSync(raw)) return null;
  let redacted: string | null = null;
  let warning: string | null = null;
  if (opts.redact) {
    const out = join(bundleDir, BUNDLE_FILES.redactedCapture);
    try {
      await redactCapture(raw, out, { format: 'pcap' });
      redacted = out;
    } catch (err) {
      warning = `could not write ${BUNDLE_FILES.redactedCapture}: ${String((err as Error)?.message ?? err).split('\n')[0]}; capture.pcap is kept (raw traffic: do not share it)`;
    }
    meta.capture.redacted = redacted ? BUNDLE_FILES.redactedCapture : null;
  }
  let rawKept = true;
  if (redacted && opts.dropRaw) {
    try {
      unlinkSync(raw);
      rawKept = false;
    } catch (err) {
      warning = `could not remove ${meta.capture.file}: ${(err as Error).message}`;
    }
  }
  meta.capture.rawKept = rawKept;
  const notice = rawKept
    ? rawCaptureNotice(join(bundleDir, meta.capture.file), redacted)
    : `${join(bundleDir, meta.capture.file)} removed (--drop-raw-capture): the bundle holds only ${BUNDLE_FILES.redactedCapture} (payloads cut, credentials starred) and can be shared`;
  meta.notices = [...(meta.notices ?? []), notice.replace(bundleDir + '/', '')];
  return { redacted, notice, warning };
}
