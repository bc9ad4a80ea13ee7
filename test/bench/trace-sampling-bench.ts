// The server span wrapper's own cost per call, apart from the network and the engine: a trivial
// Check handler called directly, and through traceService with the SDK started as `latch serve`
// starts it (parentbased_traceidratio, spans exported to a local OTLP receiver), for calls
// without a traceparent (1% sampled, by the odds) and with an unsampled one (never sampled).
//   npm run bench:trace-sampling [-- RATIO]

import { createHandlerContext, type HandlerContext } from "@connectrpc/connect";
import { traceService } from "../../src/api/trace-service.js";
import { PermissionService } from "../../src/gen/latch/v1/permission_service_pb.js";
import { startTracing } from "../../src/telemetry/tracing.js";
import { startOtlpReceiver } from "../support/otlp-receiver.js";

const ratio = process.argv[2] ?? "0.01";
const CALLS = 1_000_000;
const ROUNDS = 5;

const receiver = await startOtlpReceiver();
const tracing = startTracing(
  Object.assign(process.env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
    OTEL_TRACES_SAMPLER_ARG: ratio,
  }),
);

type Handler = (input: object, call: HandlerContext) => unknown;
const answer = { result: 1 };
const check: Handler = () => answer;
const impl = Object.fromEntries(PermissionService.methods.map((m) => [m.localName, check]));
const traced = traceService(PermissionService, impl as never) as unknown as Record<string, Handler>;
const callWith = (requestHeader: Record<string, string>) =>
  createHandlerContext({
    service: PermissionService,
    method: PermissionService.method.check,
    protocolName: "connect",
    requestMethod: "POST",
    url: "http://127.0.0.1/latch.v1.PermissionService/Check",
    requestHeader,
  });
const bare = callWith({});
const unsampled = callWith({
  traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00",
});

/** nanosPerCall is the mean time of f over CALLS calls, after a tenth as many to warm up. */
function nanosPerCall(f: () => unknown): number {
  for (let i = 0; i < CALLS / 10; i++) f();
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) f();
  return Number(process.hrtime.bigint() - start) / CALLS;
}

const rows: Record<string, number[]> = {
  "handler alone": [],
  [`traced, no traceparent (${Number(ratio) * 100}% sampled)`]: [],
  "traced, unsampled traceparent": [],
};
const runs = [
  () => check({}, bare),
  () => traced.check!({}, bare),
  () => traced.check!({}, unsampled),
];
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, times] of Object.values(rows).entries()) times.push(nanosPerCall(runs[i]!));
}
await tracing?.stop();
await receiver.close();

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
console.log(`| call (${ROUNDS} rounds of ${CALLS}) | ns/call, median | rounds |`);
console.log("|---|---:|---|");
for (const [name, times] of Object.entries(rows)) {
  console.log(
    `| ${name} | ${median(times).toFixed(0)} | ${times.map((t) => t.toFixed(0)).join(", ")} |`,
  );
}
console.log(`spans received: ${receiver.spans.length}`);
