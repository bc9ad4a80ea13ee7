// The API's userset tree from the engine's Expand result.

import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ExpandNode } from "../../engine/expand.js";
import {
  ExpandArrow_Function,
  type ExpandNodeSchema,
} from "../../gen/latch/v1/permission_service_pb.js";
import {
  jsonObject,
  objectRefMessage,
  relationshipMessage,
  splitNode,
  subjectRefMessage,
} from "./write-messages.js";

type ExpandNodeMessage = MessageInitShape<typeof ExpandNodeSchema>;

/** expandMessage is an Expand tree as API messages. */
export function expandMessage(node: ExpandNode): ExpandNodeMessage {
  const { object, relation } = splitNode(node.node);
  const base = { object: objectRefMessage(object), relation };
  switch (node.kind) {
    case "leaf":
      return {
        ...base,
        kind: {
          case: "leaf",
          value: {
            subjects: node.subjects.map((s) => ({
              subject: subjectRefMessage(s.subject),
              ...(s.caveat === undefined
                ? {}
                : {
                    caveat: {
                      name: s.caveat.name,
                      ...(s.caveat.context === undefined
                        ? {}
                        : { context: jsonObject(s.caveat.context) }),
                    },
                  }),
              ...(s.expiresAt === undefined ? {} : { expiresAt: timestampFromDate(s.expiresAt) }),
              ...(s.expansion === undefined ? {} : { expansion: expandMessage(s.expansion) }),
            })),
          },
        },
      };
    case "union":
    case "intersection":
      return {
        ...base,
        kind: { case: node.kind, value: { children: node.children.map(expandMessage) } },
      };
    case "exclusion":
      return {
        ...base,
        kind: {
          case: "exclusion",
          value: { base: expandMessage(node.base), subtracted: expandMessage(node.subtracted) },
        },
      };
    case "arrow":
      return {
        ...base,
        kind: {
          case: "arrow",
          value: {
            function: node.function === "all" ? ExpandArrow_Function.ALL : ExpandArrow_Function.ANY,
            tupleset: node.tupleset,
            target: node.target,
            walks: node.walks.map((walk) => ({
              relationship: relationshipMessage(walk.relationship),
              ...(walk.expansion === undefined ? {} : { expansion: expandMessage(walk.expansion) }),
            })),
          },
        },
      };
    case "nil":
    case "cycle":
      return { ...base, kind: { case: node.kind, value: {} } };
    case "self":
      return { ...base, kind: { case: "itself", value: {} } };
  }
}
