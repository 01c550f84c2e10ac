// Times queries and samples a process's memory from a worker thread, so that what is measured
// is the server's latency, not the delay of a suite's own event loop busy driving load.
//
//   const prober = startQueryProber({baseUrl, pid, paths: ['/healthz']});
//   ...
//   const {latencies, peakRss, failures} = await prober.stop();
//
// latencies maps each path to its answer times in ms; failures lists non-200 answers and
// errors; peakRss is the highest VmRSS sampled, in bytes; rssTimeline the highest of each
// 10 s, to tell a plateau from growth.

import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const REQUEST_TIMEOUT_MS = 30_000;

export function startQueryProber({ baseUrl, pid, paths, intervalMs = 100 }) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { baseUrl, pid, paths,
    intervalMs } });
  const result = new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    async stop() {
      worker.postMessage('stop');
      return result;
    },
  };
}

function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;  // the process has gone; the suite notices that itself
  }
}

async function probe({ baseUrl, pid, paths, intervalMs }) {
  let stopping = false;
  parentPort.once('message', () => { stopping = true; });
  const latencies = Object.fromEntries(paths.map((path) => [path, []]));
  const failures = [];
  let peakRss = 0;
  const rssTimeline = [];
  const started = performance.now();
  while (!stopping) {
    const rss = rssOf(pid);
    peakRss = Math.max(peakRss, rss);
    const window = Math.floor((performance.now() - started) / 10_000);
    rssTimeline[window] = Math.max(rssTimeline[window] ?? 0, rss);
    for (const path of paths) {
      const begin = performance.now();
      try {
        const response = await fetch(`${baseUrl}${path}`,
          { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
        await response.arrayBuffer();
        latencies[path].push(performance.now() - begin);
        if (response.status !== 200) failures.push(`${path}: ${response.status}`);
      } catch (error) {
        failures.push(`${path}: ${error.message}`);
      }
    }
    await sleep(intervalMs);
  }
  parentPort.postMessage({ latencies, peakRss, rssTimeline: Array.from(rssTimeline, (v) => v ?? 0),
    failures });
}

if (!isMainThread && workerData?.paths) await probe(workerData);
