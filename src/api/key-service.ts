// latch.v1.KeyService: the calling key's name and scopes, so a client can offer only what they allow.

import type { ServiceImpl } from "@connectrpc/connect";
import type { KeyService } from "../gen/latch/v1/key_service_pb.js";
import { SCOPES } from "./api-keys.js";
import { PRINCIPAL } from "./guard-service.js";

/**
 * createKeyService implements the key service. The guard has authenticated the call already: a
 * call without a principal is one in development mode, where every call passes.
 */
export function createKeyService(): ServiceImpl<typeof KeyService> {
  return {
    describeKey(_request, call) {
      const principal = call.values.get(PRINCIPAL);
      if (principal === undefined) return { development: true };
      return {
        name: principal.keyName,
        scopes: SCOPES.filter((scope) => principal.scopes.has(scope)),
      };
    },
  };
}
