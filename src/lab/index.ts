/**
 * The fault lab's public surface (docs/lab.md): loopback servers with fault modes, the scenario
 * table, and the runners that make go run under a scenario. (record-runner.ts and samples.ts are
 * left out on purpose: they import record, and record may import the lab.)
 */
export { randomLoopbackNet, isLoopback, hostPort, freePort, ipv6LoopbackAvailable } from './address.js';
export { generateModules, escapeModulePath, unescapeModulePath, parseProxyPath, DEFAULT_MODULES, LAB_MODULE_HOST } from './modules.js';
export type { ModuleSet, ModuleSpec, ModuleVersion } from './modules.js';
export { writeZip, crc32 } from './zip.js';
export { hash1 } from './dirhash.js';
export { startGoProxy } from './goproxy.js';
export type { GoProxy, GoProxyOptions, ProxyFault, ProxyRequestLog } from './goproxy.js';
export { startDnsServer } from './dns.js';
export type { DnsServer, DnsServerOptions, DnsFault, DnsQueryLog } from './dns.js';
export { startForwardProxy } from './proxy.js';
export type { ForwardProxy, ForwardProxyOptions, ProxyMode } from './proxy.js';
export { startBlackhole, refusedPort, startTlsSink, holdLock } from './faults.js';
export type { Blackhole, TlsSink, HeldLock } from './faults.js';
export { createLabCa } from './ca.js';
export type { LabCa, ServerCert } from './ca.js';
export { generateSumdbKey, sumdbVerifierKey, gosumdbValue } from './sumdb.js';
export { startGitServer } from './gitserver.js';
export { resolvConfWrap, wrapWithResolvConf, wrapWithBinds, canIsolate } from './isolate.js';
export { createWorld } from './world.js';
export { LabError } from './errors.js';
export type { World } from './world.js';
export { SCENARIOS, findScenario } from './scenarios.js';
export type { Scenario, PreparedScenario, ExpectedVerdict } from './scenarios.js';
export { runScenario, directRunner, withTraceFlag } from './runner.js';
export type { Runner, RunResult, RunOptions, ScenarioRun } from './runner.js';
