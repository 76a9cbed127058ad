// Loaded into the server process by `npm run bench:loop` (node --import): measures the server's own
// event loop, so the benchmark's client (building 40 MB bodies, reading 45 MB replies) runs elsewhere.
// Over the IPC channel: 'start' resets and enables the monitor; 'stop' answers { maxMs, gcMs }.
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 10 });
let gcMs = 0;
const gc = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs = Math.max(gcMs, entry.duration);
});

process.on('message', (message) => {
  if (message === 'start') {
    histogram.reset();
    gcMs = 0;
    gc.observe({ entryTypes: ['gc'] });
    histogram.enable();
  } else if (message === 'stop') {
    histogram.disable();
    gc.disconnect();
    process.send?.({ maxMs: histogram.max / 1e6, gcMs });
  }
});
// The IPC channel must not keep the server alive once it is asked to stop.
process.channel?.unref();
