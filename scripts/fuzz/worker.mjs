/**
 * Worker-thread entry: load one target module and run the fuzz loop on it, reporting to the
 * supervisor (supervisor.mjs) with postMessage.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fuzzLoop } from './engine.mjs';

const post = (type, payload) => parentPort.postMessage({ type, ...payload });
const target = await import(workerData.targetUrl);
const stats = await fuzzLoop(target, workerData, post);
post('done', { stats });
