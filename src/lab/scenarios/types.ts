/** The scenario contract: what a scenario is, what prepare() returns, and the verdict it promises. */
import type { FindingState, StageName } from '../../report/schema.js';
import type { World } from '../world.js';

/** What the verdict must say. host/address/path are filled in by prepare() with the real values. */
export interface ExpectedVerdict {
  stage: StageName;
  state: FindingState;
  host?: string | null;
  address?: string | null;
  path?: string | null;
}

export interface PreparedScenario {
  name: string;
  /** The complete environment for go (do not merge with the caller's). */
  env: Record<string, string>;
  cwd: string;
  /** Default ['go', 'mod', 'download']. The runner adds -x (directly or through GOFLAGS). */
  command: string[];
  /** Prefix to run the command under (private resolv.conf); [] when none is needed. */
  wrap: string[];
  /** tcpdump filter that selects this scenario's traffic and nothing of others'. */
  captureFilter: string;
  /** The verdict, with the concrete host, address and lock path of this run. */
  expected: ExpectedVerdict;
  /** Whether go is expected to finish by itself (true) or to be stopped while it hangs (false). */
  finishes: boolean;
  /** Record with --strace: the stall shows in syscalls (a lock, a child process), not in packets. */
  needsStrace: boolean;
  /** Servers and helpers this run started, for tests to inspect (request logs, query logs). */
  servers: Record<string, unknown>;
  world: World;
  /** One-line notes for the user about what to look for. */
  notes: string[];
  cleanup(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PrepareOptions {}

export interface Scenario {
  name: string;
  description: string;
  /** The verdict in words for docs and `lab list`: stage, state, and which field names the target. */
  expect: { stage: StageName; state: FindingState; target: 'host' | 'address' | 'path' | 'none' };
  /** Whether go ends by itself (success or error) within a few seconds. */
  finishes: boolean;
  /** The evidence lives in syscalls, not packets: record it with --strace. */
  needsStrace?: boolean;
  /** Programs it needs beyond go, openssl and flock (e.g. git). */
  tools?: string[];
  /** Returns a reason when the scenario cannot run on this machine (e.g. no IPv6 on lo). */
  unavailable?(): Promise<string | null>;
  prepare(opts?: PrepareOptions): Promise<PreparedScenario>;
}
