// The CEL environment caveats compile and run in: standard CEL plus SpiceDB's ipaddress type, with
// the library's functions that differ from SpiceDB's cel-go replaced by ones that agree.

import { type CelEnv, celEnv } from "@bufbuild/cel";
import { celTypeOf } from "./caveat-cel-type.js";
import type { CaveatType } from "./caveat-type.js";
import { durationAccessors } from "./duration-accessors.js";
import { goArithmetic } from "./go-arithmetic.js";
import { goConversions } from "./go-conversions.js";
import { goOrderings } from "./go-orderings.js";
import { inCidrMethod, ipAddressRegistry } from "./ip-address-type.js";
import { timestampAccessors } from "./timestamp-accessors.js";

/** createCaveatEnv creates the environment for a caveat with the given parameters. */
export function createCaveatEnv(parameters: ReadonlyMap<string, CaveatType>): CelEnv {
  return celEnv({
    registry: ipAddressRegistry,
    funcs: [
      ...timestampAccessors,
      ...durationAccessors,
      ...goOrderings,
      ...goConversions,
      ...goArithmetic,
      inCidrMethod,
    ],
    variables: Object.fromEntries([...parameters].map(([name, type]) => [name, celTypeOf(type)])),
  });
}
