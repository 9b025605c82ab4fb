/**
 * Just enough of go's `-x` output to show progress while recording: which `# get URL` fetches are
 * open and since when. (The full parser is src/gotool, used by the analysis afterwards.)
 */

export interface OpenFetch {
  url: string;
  since: number;
}

const GET_START = /^# get (\S+)$/;
const GET_END = /^# get (\S+): /;

export class FetchTracker {
  readonly open = new Map<string, OpenFetch>();
  started = 0;
  finished = 0;

  /** Feed one line of go's output with its epoch time. */
  line(t: number, text: string): void {
    const end = GET_END.exec(text);
    if (end) {
      if (this.open.delete(end[1])) this.finished++;
      return;
    }
    const start = GET_START.exec(text);
    if (start) {
      this.started++;
      this.open.set(start[1], { url: start[1], since: t });
    }
  }

  /** The fetch open the longest, if any. */
  oldest(): OpenFetch | null {
    let best: OpenFetch | null = null;
    for (const f of this.open.values()) if (!best || f.since < best.since) best = f;
    return best;
  }
}
