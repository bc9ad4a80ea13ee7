// Type checker: every name resolves, no duplicates, arrows lead somewhere, caveats compile to bool.

import { checkCaveatName, checkObjectType, checkRelation } from "../tuple/identifiers.js";
import type { Issue } from "../tuple/issue.js";
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
import { type Diagnostic, type DiagnosticCode, DiagnosticList } from "./diagnostic.js";
import { isSchemaKeyword } from "./schema-keywords.js";
import { MAX_DIAGNOSTICS } from "./schema-limits.js";
import type { Span } from "./source-span.js";
import { didYouMean } from "./suggest.js";

/** CheckResult holds the diagnostics of a schema and the caveats that compiled. */
export interface CheckResult {
  readonly diagnostics: readonly Diagnostic[];
  /** True when checking stopped at its limit of diagnostics: there may be more. */
  readonly truncated: boolean;
  readonly caveats: ReadonlyMap<string, CompiledCaveat>;
}

/** ArrowFacts is what every arrow over one relation needs to know about it. */
interface ArrowFacts {
  /** The relation's subject types that are defined, without repeats. */
  readonly subjectTypes: readonly string[];
  /** Whether each arrow target seen so far exists on one of subjectTypes. */
  readonly targets: Map<string, boolean>;
}

/** Stop unwinds the checker when its diagnostics overflow. */
class Stop extends Error {}

const MEMBER_NAME_RULE =
  "use lowercase letters, digits and '_', 3 to 64 characters, starting with a letter and not ending with '_'";
const TYPE_NAME_RULE = `${MEMBER_NAME_RULE}, after any prefixes of 3 to 63 such characters, each followed by '/' (as in 'org/team/user')`;
const CAVEAT_NAME_RULE =
  "use letters, digits and '_', 1 to 128 characters, with '/' after any prefixes (as in 'org/IsAdmin')";
/**
 * KNOWN_FEATURES are the `use` flags a schema may set: `expiration` allows `with expiration`,
 * `partial` partials (see expandPartials), and `self` the expression `self` (the parser reads
 * it). SpiceDB's `typechecking` (its own schema checks: Latch's apply with it or without) and
 * `import` (imports, which a schema written to a server cannot hold) are taken and change nothing.
 */
const KNOWN_FEATURES = ["expiration", "partial", "self", "typechecking", "import"];

/**
 * checkSchema type-checks a parsed schema and reports every error in it, up to maxDiagnostics.
 * Its work is linear in the size of the schema, apart from the suggestions in error messages.
 */
export function checkSchema(ast: SchemaAst, maxDiagnostics = MAX_DIAGNOSTICS): CheckResult {
  const checker = new TypeChecker(ast, new DiagnosticList(maxDiagnostics));
  return checker.check();
}

class TypeChecker {
  private readonly definitions = new Map<string, DefinitionAst>();
  /** The members of each definition by name, the first of each name. */
  private readonly members = new Map<string, Map<string, MemberAst>>();
  private readonly arrowFacts = new Map<RelationAst, ArrowFacts>();
  private wildcards: Map<RelationAst, string> | undefined;
  private readonly caveatAsts = new Map<string, CaveatAst>();
  private readonly caveats = new Map<string, CompiledCaveat>();
  private readonly features = new Set<string>();
  /** Definitions and caveats share one namespace, as in SpiceDB. */
  private readonly topLevelNames = new Map<string, Name>();

  constructor(
    private readonly ast: SchemaAst,
    private readonly diagnostics: DiagnosticList,
  ) {}

  check(): CheckResult {
    try {
      this.collectTopLevel();
      for (const definition of this.definitions.values()) this.collectMembers(definition);
      for (const caveat of this.caveatAsts.values()) this.checkCaveat(caveat);
      for (const definition of this.definitions.values()) this.checkDefinition(definition);
    } catch (error) {
      if (!(error instanceof Stop)) throw error;
    }
    const { items, overflowed } = this.diagnostics;
    return { diagnostics: items, truncated: overflowed, caveats: this.caveats };
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
        }
        // Written twice, a flag is set once, as in SpiceDB.
        this.features.add(feature);
      } else if (item.kind === "definition") {
        this.checkName(item.name, "definition");
        if (this.declareOnce(item.name)) this.definitions.set(item.name.value, item);
      } else {
        this.checkName(item.name, "caveat");
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
    for (const diagnostic of result.diagnostics) this.add(diagnostic);
    if (result.caveat) this.caveats.set(caveat.name.value, result.caveat);
  }

  private collectMembers(definition: DefinitionAst): void {
    const members = new Map<string, MemberAst>();
    this.members.set(definition.name.value, members);
    for (const member of definition.members) {
      this.checkName(member.name, member.kind);
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
  }

  private checkDefinition(definition: DefinitionAst): void {
    const members = this.membersOf(definition);
    for (const member of definition.members) {
      if (member.kind === "relation") this.checkRelation(definition, member);
      else this.checkPermission(definition, members, member);
    }
    this.checkSelfReferences(definition, members);
  }

  private membersOf(definition: DefinitionAst): Map<string, MemberAst> {
    return this.members.get(definition.name.value)!;
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
      this.checkAllowedSubject(definition, subject);
    }
  }

  private checkAllowedSubject(definition: DefinitionAst, subject: AllowedSubjectAst): void {
    const target = this.definitions.get(subject.type.value);
    if (!target) {
      this.report(
        "unknown-definition",
        subject.type.span,
        `unknown definition '${subject.type.value}'${didYouMean(subject.type.value, this.definitions.keys())}; add 'definition ${subject.type.value} {}' or fix the name`,
      );
    } else if (subject.relation && !this.membersOf(target).has(subject.relation.value)) {
      this.report(
        "unknown-relation",
        subject.relation.span,
        `definition '${target.name.value}' has no relation or permission '${subject.relation.value}'${didYouMean(subject.relation.value, this.membersOf(target).keys())}`,
      );
    } else if (subject.relation && target !== definition) {
      // A set of the relation's own definition may carry a wildcard, as SpiceDB allows
      // (`relation viewer: user | user:* | folder#viewer`); one of another definition may not.
      const set = this.membersOf(target).get(subject.relation.value)!;
      const wildcard = set.kind === "relation" ? this.wildcardsStored().get(set) : undefined;
      if (wildcard) {
        this.report(
          "wildcard-subject-set",
          subject.relation.span,
          `'${subject.type.value}#${subject.relation.value}' includes the wildcard '${wildcard}', which a subject set cannot carry into another definition (SpiceDB rejects it too); admit '${wildcard}' here directly, or use a set without the wildcard`,
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

  /**
   * wildcardsStored maps each relation that stores a wildcard (`user:*`), directly or through its
   * subject sets, to one such wildcard. Computed once, walking from the relations that admit a
   * wildcard to those that include them as subject sets: linear in the schema. Permissions may
   * hold wildcards (SpiceDB allows `relation x: doc#view` over one); only relations carry them
   * into subject sets.
   */
  private wildcardsStored(): Map<RelationAst, string> {
    if (this.wildcards) return this.wildcards;
    const wildcards = new Map<RelationAst, string>();
    const includedBy = new Map<RelationAst, RelationAst[]>();
    const pending: RelationAst[] = [];
    for (const definition of this.definitions.values()) {
      for (const member of definition.members) {
        if (member.kind !== "relation") continue;
        for (const subject of member.subjects) {
          if (subject.wildcard && !wildcards.has(member)) {
            wildcards.set(member, `${subject.type.value}:*`);
            pending.push(member);
          }
          const set =
            subject.relation && this.members.get(subject.type.value)?.get(subject.relation.value);
          if (set?.kind !== "relation") continue;
          const list = includedBy.get(set);
          if (list) list.push(member);
          else includedBy.set(set, [member]);
        }
      }
    }
    for (let relation = pending.pop(); relation; relation = pending.pop()) {
      const wildcard = wildcards.get(relation)!;
      for (const including of includedBy.get(relation) ?? []) {
        if (wildcards.has(including)) continue;
        wildcards.set(including, wildcard);
        pending.push(including);
      }
    }
    this.wildcards = wildcards;
    return wildcards;
  }

  private checkPermission(
    definition: DefinitionAst,
    members: Map<string, MemberAst>,
    permission: PermissionAst,
  ): void {
    const visit = (expression: ExpressionAst): void => {
      switch (expression.kind) {
        case "nil":
        case "self":
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
        `definition '${definition.name.value}' has no relation or permission '${name.value}'${this.selfHint(name) ?? didYouMean(name.value, members.keys())}`,
      );
    }
    return member;
  }

  /**
   * selfHint explains a `self` read as a name: its schema sets no `use self`, or sets it only
   * after the definition.
   */
  private selfHint(name: Name): string | undefined {
    if (name.value !== "self") return undefined;
    return this.features.has("self")
      ? "; 'use self' makes 'self' the object itself only after it: move it before the definitions"
      : "; to mean the object itself, write 'use self' before the definitions";
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
    const facts = this.arrowFactsOf(relation);
    // Through its subject sets too (of its own definition: no other's may carry one), as SpiceDB has it.
    const wildcard = this.wildcardsStored().get(relation);
    if (wildcard) {
      this.report(
        "arrow-wildcard",
        relationName.span,
        `relation '${definition.name.value}#${relationName.value}' admits the wildcard '${wildcard}'${relation.subjects.some((s) => s.wildcard) ? "" : " through its subject sets"}, which an arrow cannot walk; use a relation without wildcards on the left of the arrow`,
      );
    }
    const { subjectTypes, targets } = facts;
    if (subjectTypes.length === 0) return;
    let hasTarget = targets.get(target.value);
    if (hasTarget === undefined) {
      hasTarget = subjectTypes.some((t) => this.members.get(t)!.has(target.value));
      targets.set(target.value, hasTarget);
    }
    if (!hasTarget) {
      const candidates = subjectTypes.flatMap((t) => [...this.members.get(t)!.keys()]);
      this.report(
        "arrow-target-missing",
        target.span,
        `'${target.value}' exists on none of the subject types of '${definition.name.value}#${relationName.value}' (${subjectTypes.join(", ")}), so this arrow could never grant anything${didYouMean(target.value, candidates)}`,
      );
    }
  }

  /** arrowFactsOf is what arrows over relation need, computed once per relation. */
  private arrowFactsOf(relation: RelationAst): ArrowFacts {
    let facts = this.arrowFacts.get(relation);
    if (facts === undefined) {
      const types = new Set(relation.subjects.map((s) => s.type.value));
      facts = {
        subjectTypes: [...types].filter((t) => this.definitions.has(t)),
        targets: new Map(),
      };
      this.arrowFacts.set(relation, facts);
    }
    return facts;
  }

  /**
   * checkSelfReferences finds permissions that depend on themselves without crossing a relation:
   * a depth-first walk over the permissions' references, with an explicit stack, since a chain
   * of permissions may be as long as the schema.
   */
  private checkSelfReferences(definition: DefinitionAst, members: Map<string, MemberAst>): void {
    const state = new Map<PermissionAst, "visiting" | "done">();
    const report = (permission: PermissionAst, target: PermissionAst, reference: Name) => {
      const how =
        target === permission
          ? "refers to itself"
          : `refers back to itself through '${reference.value}'`;
      this.report(
        "self-reference",
        reference.span,
        `permission '${definition.name.value}#${permission.name.value}' ${how} with no relation in between, so it can never be computed; go through a relation (an arrow or a subject set) or remove the reference`,
      );
    };
    const frames: { permission: PermissionAst; references: Name[]; next: number }[] = [];
    const enter = (permission: PermissionAst) => {
      state.set(permission, "visiting");
      frames.push({ permission, references: computedReferences(permission.expression), next: 0 });
    };
    for (const member of definition.members) {
      // A second member of the same name is reported as a duplicate, not walked.
      if (member.kind !== "permission" || state.has(member)) continue;
      if (members.get(member.name.value) !== member) continue;
      enter(member);
      while (frames.length > 0) {
        const frame = frames.at(-1)!;
        const reference = frame.references[frame.next++];
        if (reference === undefined) {
          state.set(frame.permission, "done");
          frames.pop();
          continue;
        }
        const target = members.get(reference.value);
        if (target?.kind !== "permission") continue;
        const targetState = state.get(target);
        if (targetState === "visiting") report(frame.permission, target, reference);
        else if (targetState === undefined) enter(target);
      }
    }
  }

  private checkName(name: Name, what: "definition" | "caveat" | MemberAst["kind"]): void {
    const keyword = name.value.split("/").find(isSchemaKeyword);
    if (keyword !== undefined) {
      const message = `invalid ${what} name '${name.value}': '${keyword}' is a keyword of the schema language; rename it`;
      this.report("invalid-name", name.span, message);
      return;
    }
    const member = what === "relation" || what === "permission";
    const check = member ? checkRelation : what === "caveat" ? checkCaveatName : checkObjectType;
    const issue = check(name.value);
    if (issue === undefined) return;
    const rule = member
      ? MEMBER_NAME_RULE
      : `${issue.problem}; ${what === "caveat" ? CAVEAT_NAME_RULE : TYPE_NAME_RULE}`;
    this.report(
      "invalid-name",
      issueSpan(name, issue),
      `invalid ${what} name '${name.value}': ${rule}`,
    );
  }

  private report(code: DiagnosticCode, span: Span, message: string): void {
    this.add({ code, message, span });
  }

  private add(diagnostic: Diagnostic): void {
    if (!this.diagnostics.add(diagnostic)) throw new Stop(diagnostic.message);
  }
}

/** computedReferences lists, into `into`, the relations and permissions an expression names. */
function computedReferences(expression: ExpressionAst, into: Name[] = []): Name[] {
  switch (expression.kind) {
    case "union":
    case "intersection":
      for (const operand of expression.operands) computedReferences(operand, into);
      break;
    case "exclusion":
      computedReferences(expression.base, into);
      computedReferences(expression.subtracted, into);
      break;
    case "reference":
      into.push(expression.name);
  }
  return into;
}

/** issueSpan points at the character an issue names, when the name was written in one piece. */
function issueSpan(name: Name, issue: Issue): Span {
  const { start, end } = name.span;
  if (end.offset - start.offset !== name.value.length || start.line !== end.line) return name.span;
  const at = {
    line: start.line,
    column: start.column + issue.index,
    offset: start.offset + issue.index,
  };
  return { start: at, end: at };
}

function subjectText(subject: AllowedSubjectAst): string {
  return `${subject.type.value}${subject.wildcard ? ":*" : ""}${subject.relation ? `#${subject.relation.value}` : ""}`;
}
