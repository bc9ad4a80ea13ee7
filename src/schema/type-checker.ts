// Type checker: every name resolves, no duplicates, arrows lead somewhere, caveats compile to bool.

import type {
  AllowedSubjectAst,
  CaveatAst,
  DefinitionAst,
  ExpressionAst,
  MemberAst,
  Name,
  PermissionAst,
  RelationAst,
  SchemaAst,
} from "./ast.js";
import type { CompiledCaveat } from "./caveat/compiled-caveat.js";
import { checkCaveat } from "./caveat-checker.js";
import type { Diagnostic, DiagnosticCode } from "./diagnostic.js";
import type { Span } from "./source-span.js";
import { didYouMean } from "./suggest.js";

/** CheckResult holds the diagnostics of a schema and the caveats that compiled. */
export interface CheckResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly caveats: ReadonlyMap<string, CompiledCaveat>;
}

const TYPE_NAME = /^([a-z][a-z0-9_]{1,62}[a-z0-9]\/)?[a-z][a-z0-9_]{1,62}[a-z0-9]$/;
const MEMBER_NAME = /^[a-z][a-z0-9_]{1,62}[a-z0-9]$/;
const KNOWN_FEATURES = ["expiration"];

/** checkSchema type-checks a parsed schema and reports every error in it. */
export function checkSchema(ast: SchemaAst): CheckResult {
  const checker = new TypeChecker(ast);
  return checker.check();
}

class TypeChecker {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly definitions = new Map<string, DefinitionAst>();
  private readonly caveatAsts = new Map<string, CaveatAst>();
  private readonly caveats = new Map<string, CompiledCaveat>();
  private readonly features = new Set<string>();
  /** Definitions and caveats share one namespace, as in SpiceDB. */
  private readonly topLevelNames = new Map<string, Name>();

  constructor(private readonly ast: SchemaAst) {}

  check(): CheckResult {
    this.collectTopLevel();
    for (const caveat of this.caveatAsts.values()) this.checkCaveat(caveat);
    for (const definition of this.definitions.values()) this.checkDefinition(definition);
    return { diagnostics: this.diagnostics, caveats: this.caveats };
  }

  private collectTopLevel(): void {
    for (const item of this.ast.items) {
      if (item.kind === "use") {
        const feature = item.feature.value;
        if (!KNOWN_FEATURES.includes(feature)) {
          this.report(
            "unknown-use-flag",
            item.feature.span,
            `unknown feature 'use ${feature}'; the known features are: ${KNOWN_FEATURES.join(", ")}${didYouMean(feature, KNOWN_FEATURES)}`,
          );
        } else if (this.features.has(feature)) {
          this.report("duplicate-name", item.span, `'use ${feature}' is written twice; remove one`);
        }
        this.features.add(feature);
      } else if (item.kind === "definition") {
        this.checkName(item.name, TYPE_NAME, "definition");
        if (this.declareOnce(item.name)) this.definitions.set(item.name.value, item);
      } else {
        this.checkName(item.name, TYPE_NAME, "caveat");
        if (this.declareOnce(item.name)) this.caveatAsts.set(item.name.value, item);
      }
    }
  }

  private declareOnce(name: Name): boolean {
    const existing = this.topLevelNames.get(name.value);
    if (existing) {
      const { line, column } = existing.span.start;
      this.report(
        "duplicate-name",
        name.span,
        `'${name.value}' is already defined at ${line}:${column}; definitions and caveats share one namespace, so rename or remove one of them`,
      );
      return false;
    }
    this.topLevelNames.set(name.value, name);
    return true;
  }

  private checkCaveat(caveat: CaveatAst): void {
    const result = checkCaveat(caveat);
    this.diagnostics.push(...result.diagnostics);
    if (result.caveat) this.caveats.set(caveat.name.value, result.caveat);
  }

  private checkDefinition(definition: DefinitionAst): void {
    const members = new Map<string, MemberAst>();
    for (const member of definition.members) {
      this.checkName(member.name, MEMBER_NAME, member.kind);
      const existing = members.get(member.name.value);
      if (existing) {
        const { line, column } = existing.name.span.start;
        const both =
          existing.kind === member.kind
            ? `${member.kind} '${member.name.value}' is already defined`
            : `'${member.name.value}' is already a ${existing.kind}`;
        this.report(
          "duplicate-name",
          member.name.span,
          `${both} in definition '${definition.name.value}' at ${line}:${column}; relations and permissions share one namespace, so rename one of them`,
        );
      } else {
        members.set(member.name.value, member);
      }
    }
    for (const member of definition.members) {
      if (member.kind === "relation") this.checkRelation(definition, member);
      else this.checkPermission(definition, members, member);
    }
    this.checkSelfReferences(definition, members);
  }

  private checkRelation(definition: DefinitionAst, relation: RelationAst): void {
    const seen = new Set<string>();
    for (const subject of relation.subjects) {
      const key = `${subject.type.value}${subject.wildcard ? ":*" : ""}#${subject.relation?.value ?? ""} ${subject.caveat?.value ?? ""} ${subject.expiration ? "x" : ""}`;
      if (seen.has(key)) {
        this.report(
          "duplicate-name",
          subject.span,
          `subject type '${subjectText(subject)}' appears twice in relation '${definition.name.value}#${relation.name.value}'; remove one`,
        );
      }
      seen.add(key);
      this.checkAllowedSubject(subject);
    }
  }

  private checkAllowedSubject(subject: AllowedSubjectAst): void {
    const target = this.definitions.get(subject.type.value);
    if (!target) {
      this.report(
        "unknown-definition",
        subject.type.span,
        `unknown definition '${subject.type.value}'${didYouMean(subject.type.value, this.definitions.keys())}; add 'definition ${subject.type.value} {}' or fix the name`,
      );
    } else if (
      subject.relation &&
      !target.members.some((m) => m.name.value === subject.relation!.value)
    ) {
      const names = target.members.map((m) => m.name.value);
      this.report(
        "unknown-relation",
        subject.relation.span,
        `definition '${target.name.value}' has no relation or permission '${subject.relation.value}'${didYouMean(subject.relation.value, names)}`,
      );
    } else if (subject.relation) {
      const wildcard = this.wildcardIncludedBy(target, subject.relation.value, new Set());
      if (wildcard) {
        this.report(
          "wildcard-subject-set",
          subject.relation.span,
          `'${subject.type.value}#${subject.relation.value}' includes the wildcard '${wildcard}', which a subject set cannot carry into another relation (SpiceDB rejects it too); admit '${wildcard}' here directly, or use a set without the wildcard`,
        );
      }
    }
    if (subject.caveat && !this.caveatAsts.has(subject.caveat.value)) {
      this.report(
        "unknown-caveat",
        subject.caveat.span,
        `unknown caveat '${subject.caveat.value}'${didYouMean(subject.caveat.value, this.caveatAsts.keys())}; define it with 'caveat ${subject.caveat.value}(...) { ... }'`,
      );
    }
    if (subject.expiration && !this.features.has("expiration")) {
      this.report(
        "expiration-not-enabled",
        subject.expiration.span,
        "'with expiration' needs 'use expiration' at the top of the schema; add it",
      );
    }
  }

  /** wildcardIncludedBy finds a wildcard (`user:*`) stored in the relation `definition#name`, directly or through its subject sets. */
  private wildcardIncludedBy(
    definition: DefinitionAst,
    name: string,
    visiting: Set<string>,
  ): string | undefined {
    const key = `${definition.name.value}#${name}`;
    if (visiting.has(key)) return undefined;
    visiting.add(key);
    const member = definition.members.find((m) => m.name.value === name);
    const through = (type: string, relation: string) => {
      const target = this.definitions.get(type);
      return target ? this.wildcardIncludedBy(target, relation, visiting) : undefined;
    };
    if (member?.kind === "relation") {
      for (const subject of member.subjects) {
        if (subject.wildcard) return `${subject.type.value}:*`;
        const found = subject.relation && through(subject.type.value, subject.relation.value);
        if (found) return found;
      }
    }
    // Permissions may hold wildcards (SpiceDB allows `relation x: doc#view` over one); only
    // relations carry them into subject sets.
    return undefined;
  }

  private checkPermission(
    definition: DefinitionAst,
    members: Map<string, MemberAst>,
    permission: PermissionAst,
  ): void {
    const visit = (expression: ExpressionAst): void => {
      switch (expression.kind) {
        case "nil":
          return;
        case "reference":
          this.resolveMember(definition, members, expression.name);
          return;
        case "union":
        case "intersection":
          expression.operands.forEach(visit);
          return;
        case "exclusion":
          visit(expression.base);
          visit(expression.subtracted);
          return;
        case "arrow":
          this.checkArrow(definition, members, expression.relation, expression.target);
      }
    };
    visit(permission.expression);
  }

  private resolveMember(
    definition: DefinitionAst,
    members: Map<string, MemberAst>,
    name: Name,
  ): MemberAst | undefined {
    const member = members.get(name.value);
    if (!member) {
      this.report(
        "unknown-relation",
        name.span,
        `definition '${definition.name.value}' has no relation or permission '${name.value}'${didYouMean(name.value, members.keys())}`,
      );
    }
    return member;
  }

  private checkArrow(
    definition: DefinitionAst,
    members: Map<string, MemberAst>,
    relationName: Name,
    target: Name,
  ): void {
    const relation = this.resolveMember(definition, members, relationName);
    if (!relation) return;
    if (relation.kind !== "relation") {
      this.report(
        "arrow-left-not-relation",
        relationName.span,
        `the left side of an arrow must be a relation, but '${relationName.value}' is a permission of '${definition.name.value}'; point the arrow at the relation it is built from`,
      );
      return;
    }
    const wildcard = relation.subjects.find((s) => s.wildcard);
    if (wildcard) {
      this.report(
        "arrow-wildcard",
        relationName.span,
        `relation '${definition.name.value}#${relationName.value}' admits the wildcard '${wildcard.type.value}:*', which an arrow cannot walk; use a relation without wildcards on the left of the arrow`,
      );
    }
    const subjectTypes = [...new Set(relation.subjects.map((s) => s.type.value))].filter((t) =>
      this.definitions.has(t),
    );
    if (subjectTypes.length === 0) return;
    const hasTarget = subjectTypes.some((t) =>
      this.definitions.get(t)!.members.some((m) => m.name.value === target.value),
    );
    if (!hasTarget) {
      const candidates = subjectTypes.flatMap((t) =>
        this.definitions.get(t)!.members.map((m) => m.name.value),
      );
      this.report(
        "arrow-target-missing",
        target.span,
        `'${target.value}' exists on none of the subject types of '${definition.name.value}#${relationName.value}' (${subjectTypes.join(", ")}), so this arrow could never grant anything${didYouMean(target.value, candidates)}`,
      );
    }
  }

  /** checkSelfReferences finds permissions that depend on themselves without crossing a relation. */
  private checkSelfReferences(definition: DefinitionAst, members: Map<string, MemberAst>): void {
    const state = new Map<string, "visiting" | "done">();
    const visit = (permission: PermissionAst): void => {
      state.set(permission.name.value, "visiting");
      for (const reference of computedReferences(permission.expression)) {
        const target = members.get(reference.value);
        if (target?.kind !== "permission") continue;
        const targetState = state.get(target.name.value);
        if (targetState === "visiting") {
          const how =
            target === permission
              ? "refers to itself"
              : `refers back to itself through '${reference.value}'`;
          this.report(
            "self-reference",
            reference.span,
            `permission '${definition.name.value}#${permission.name.value}' ${how} with no relation in between, so it can never be computed; go through a relation (an arrow or a subject set) or remove the reference`,
          );
        } else if (targetState === undefined) {
          visit(target);
        }
      }
      state.set(permission.name.value, "done");
    };
    for (const member of definition.members) {
      if (member.kind === "permission" && !state.has(member.name.value)) visit(member);
    }
  }

  private checkName(name: Name, pattern: RegExp, what: string): void {
    if (!pattern.test(name.value)) {
      const rule =
        pattern === TYPE_NAME
          ? "lowercase letters, digits and '_', 3 to 64 characters, starting with a letter and not ending with '_', with at most one 'prefix/'"
          : "lowercase letters, digits and '_', 3 to 64 characters, starting with a letter and not ending with '_'";
      this.report("invalid-name", name.span, `invalid ${what} name '${name.value}': use ${rule}`);
    }
  }

  private report(code: DiagnosticCode, span: Span, message: string): void {
    this.diagnostics.push({ code, message, span });
  }
}

function expressionLeaves(expression: ExpressionAst): ExpressionAst[] {
  switch (expression.kind) {
    case "union":
    case "intersection":
      return expression.operands.flatMap(expressionLeaves);
    case "exclusion":
      return [...expressionLeaves(expression.base), ...expressionLeaves(expression.subtracted)];
    default:
      return [expression];
  }
}

function computedReferences(expression: ExpressionAst): Name[] {
  return expressionLeaves(expression).flatMap((leaf) =>
    leaf.kind === "reference" ? [leaf.name] : [],
  );
}

function subjectText(subject: AllowedSubjectAst): string {
  return `${subject.type.value}${subject.wildcard ? ":*" : ""}${subject.relation ? `#${subject.relation.value}` : ""}`;
}
