// The V8 flags a server's node runs with: without them its garbage collector takes about a quarter of its CPU.

/**
 * SERVER_NODE_FLAGS are the flags `npm start` and the container image start node with (a
 * `latch serve` started otherwise says which it lacks). A server answering checks allocates about
 * 28 KB a call, most of it in grpc-js and Node's HTTP/2, and keeps each call's objects until its
 * answer is written. With V8's defaults its young generation fills every few hundred calls and
 * copies the calls in flight each time; and V8, seeing objects of the same allocation sites
 * survive, starts allocating those sites' objects in the old generation directly (allocation-site
 * pretenuring). From then on each call's objects are old on arrival and die there, and every young
 * collection also scans the old objects that point at young ones: the server stays in that state
 * for its life, its collector using about a quarter of its CPU. A young generation of 64 MB a
 * semi-space and no pretenuring keep a call's objects young until they die (measured by the server
 * benchmark, with the flags against without: the collector's pauses 3% of a server's CPU against
 * 27%, a hot check's CPU 41% less, resident memory no higher).
 */
export const SERVER_NODE_FLAGS: readonly string[] = [
  "--max-semi-space-size=64",
  "--no-allocation-site-pretenuring",
];

/**
 * missingServerNodeFlags are the SERVER_NODE_FLAGS that a node started with execArgv, and with
 * nodeOptions in NODE_OPTIONS, lacks. A semi-space size the operator chose, on the command line
 * or in NODE_OPTIONS (which does not allow the pretenuring flag), counts as set.
 */
export function missingServerNodeFlags(
  execArgv: readonly string[],
  nodeOptions: string | undefined,
): string[] {
  // V8 takes a flag's name with underscores as well as dashes.
  const given = [...execArgv, ...(nodeOptions ?? "").split(/\s+/)].map((arg) =>
    arg.replace(/^[^=]*/, (name) => name.replaceAll("_", "-")),
  );
  return SERVER_NODE_FLAGS.filter((flag) => {
    const name = flag.split("=")[0]!;
    return !given.some((arg) => arg === flag || arg.startsWith(`${name}=`));
  });
}
