// Loaded into the server process by `npm run bench:sessions` (node --import): the server's own event-loop
// delay (perf_hooks.monitorEventLoopDelay, 10 ms sampling) and its resident memory, sampled every 500 ms.
// and its CPU time (process.cpuUsage: user + system, every thread). Over the IPC channel: 'start' resets and
// enables them; 'stop' answers { p50Ms, p99Ms, maxMs, rssMaxMb, rssMb, cpuMs }.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 10 });
let rssMax = 0;
let sampler;
let cpuAtStart;

process.on('message', (message) => {
  if (message === 'start') {
    histogram.reset();
    histogram.enable();
    rssMax = process.memoryUsage.rss();
    cpuAtStart = process.cpuUsage();
    sampler = setInterval(() => (rssMax = Math.max(rssMax, process.memoryUsage.rss())), 500);
    sampler.unref();
  } else if (message === 'stop') {
    histogram.disable();
    clearInterval(sampler);
    const rss = process.memoryUsage.rss();
    const cpu = process.cpuUsage(cpuAtStart);
    process.send?.({
      cpuMs: (cpu.user + cpu.system) / 1000,
      p50Ms: histogram.percentile(50) / 1e6,
      p99Ms: histogram.percentile(99) / 1e6,
      maxMs: histogram.max / 1e6,
      rssMaxMb: Math.max(rssMax, rss) / 2 ** 20,
      rssMb: rss / 2 ** 20,
    });
  }
});
// The IPC channel must not keep the server alive once it is asked to stop.
process.channel?.unref();
