// The scope each API method requires.

import type { Scope } from "./api-keys.js";

/** MethodScope is the scope a method needs, or `any`: any valid key may call it. */
export type MethodScope = Scope | "any";

/**
 * METHOD_SCOPES maps `service/method` (as in the gRPC path, without the leading slash) to the
 * scope a key needs for it; `admin` grants every scope. Methods missing here need `admin`. SpiceDB's
 * methods (authzed.api.v1) need what their latch.v1 counterparts need. The console imports it
 * too (to offer only what a key may do): it holds data and types only.
 */
export const METHOD_SCOPES: Readonly<Record<string, MethodScope>> = {
  "latch.v1.KeyService/DescribeKey": "any",
  "latch.v1.PermissionService/Check": "check",
  "latch.v1.PermissionService/CheckBulk": "check",
  "latch.v1.PermissionService/Expand": "check",
  "latch.v1.PermissionService/LookupResources": "check",
  "latch.v1.PermissionService/LookupSubjects": "check",
  "latch.v1.RelationshipService/ReadRelationships": "read",
  "latch.v1.RelationshipService/Watch": "read",
  "latch.v1.RelationshipService/ExportRelationships": "read",
  "latch.v1.RelationshipService/WriteRelationships": "write",
  "latch.v1.RelationshipService/DeleteRelationships": "write",
  "latch.v1.RelationshipService/ImportRelationships": "write",
  "latch.v1.SchemaService/ReadSchema": "read",
  "latch.v1.SchemaService/ValidateSchema": "read",
  "latch.v1.SchemaService/WriteSchema": "schema",
  "latch.v1.AgentService/Suspend": "write",
  "latch.v1.AgentService/Resume": "write",
  "latch.v1.AgentService/ListSuspensions": "read",
  "latch.v1.ApprovalService/RequestAccess": "write",
  "latch.v1.ApprovalService/Cancel": "write",
  "latch.v1.ApprovalService/GetAccessRequest": "read",
  "latch.v1.ApprovalService/ListAccessRequests": "read",
  "latch.v1.ApprovalService/WatchAccessRequests": "read",
  "latch.v1.ApprovalService/Approve": "approve",
  "latch.v1.ApprovalService/Deny": "approve",
  "latch.v1.ApprovalService/Revoke": "approve",
  "latch.v1.DecisionService/ListDecisions": "audit",
  "latch.v1.DecisionService/GetDecision": "audit",
  "latch.v1.DecisionService/WatchDecisions": "audit",
  "latch.v1.DecisionService/VerifyDecisions": "audit",
  "latch.v1.AlertService/ListAlerts": "audit",
  "latch.v1.AlertService/WatchAlerts": "audit",
  "latch.v1.AlertService/AcknowledgeAlert": "approve",
  "authzed.api.v1.PermissionsService/CheckPermission": "check",
  "authzed.api.v1.PermissionsService/CheckBulkPermissions": "check",
  "authzed.api.v1.PermissionsService/ExpandPermissionTree": "check",
  "authzed.api.v1.PermissionsService/LookupResources": "check",
  "authzed.api.v1.PermissionsService/LookupSubjects": "check",
  "authzed.api.v1.PermissionsService/ReadRelationships": "read",
  "authzed.api.v1.PermissionsService/ExportBulkRelationships": "read",
  "authzed.api.v1.PermissionsService/WriteRelationships": "write",
  "authzed.api.v1.PermissionsService/DeleteRelationships": "write",
  "authzed.api.v1.PermissionsService/ImportBulkRelationships": "write",
  "authzed.api.v1.SchemaService/ReadSchema": "read",
  "authzed.api.v1.SchemaService/WriteSchema": "schema",
  "authzed.api.v1.SchemaService/ReflectSchema": "read",
  "authzed.api.v1.SchemaService/DiffSchema": "read",
  "authzed.api.v1.SchemaService/DependentRelations": "read",
  "authzed.api.v1.SchemaService/ComputablePermissions": "read",
  "authzed.api.v1.WatchService/Watch": "read",
  "authzed.api.v1.ExperimentalService/BulkExportRelationships": "read",
  "authzed.api.v1.ExperimentalService/BulkImportRelationships": "write",
  "authzed.api.v1.ExperimentalService/ExperimentalReflectSchema": "read",
  "authzed.api.v1.ExperimentalService/ExperimentalDiffSchema": "read",
  "authzed.api.v1.ExperimentalService/ExperimentalDependentRelations": "read",
  "authzed.api.v1.ExperimentalService/ExperimentalComputablePermissions": "read",
};
