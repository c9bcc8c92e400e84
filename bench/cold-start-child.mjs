// Runs in a fresh Node process: import one function bundle, answer one request, print timings.
// The local stand-in for a Lambda cold start (init + first invoke), without the runtime's own overhead.
// Wall time from the first line of this module, and the process's CPU time (user + system) over the
// same span, which a shared machine disturbs less than the wall clock.
const t0 = performance.now();
const c0 = process.cpuUsage();
const { bundle, event } = JSON.parse(process.argv[2]);
const mod = await import(bundle);
const t1 = performance.now();
const res = await mod.handler(event, {
  awsRequestId: "bench",
  functionName: "bench",
  getRemainingTimeInMillis: () => 29_000,
});
const t2 = performance.now();
const cpu = process.cpuUsage(c0);
process.stdout.write(
  JSON.stringify({
    importMs: t1 - t0,
    firstAnswerMs: t2 - t1,
    totalMs: t2 - t0,
    cpuMs: (cpu.user + cpu.system) / 1000,
    status: res.statusCode,
    rssMb: process.memoryUsage().rss / 1048576,
  }),
);
