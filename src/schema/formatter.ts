// Formatter: prints a schema's syntax tree in canonical form, comments kept with what they document.

import type {
  AllowedSubjectAst,
  CaveatAst,
  CaveatTypeAst,
  Commented,
  ExpressionAst,
  WrittenDefinitionAst,
  WrittenMemberAst,
  WrittenSchemaAst,
  WrittenTopLevelAst,
} from "./ast.js";

const INDENT = "\t";

/**
 * formatSchema prints a schema in canonical form: one item per paragraph, tab indentation, and
 * parentheses wherever operators mix, because SpiceDB's precedence (`+` over `&` over `-`)
 * surprises readers. Re-parsing the output gives the same tree.
 */
export function formatSchema(ast: WrittenSchemaAst): string {
  const paragraphs: string[] = [];
  let previous: WrittenTopLevelAst | undefined;
  for (const item of ast.items) {
    const text = formatTopLevel(item);
    if (previous?.kind === "use" && item.kind === "use" && item.comments.length === 0) {
      paragraphs[paragraphs.length - 1] += `\n${text}`;
    } else {
      paragraphs.push(text);
    }
    previous = item;
  }
  if (ast.trailingComments.length > 0) paragraphs.push(ast.trailingComments.join("\n"));
  return paragraphs.length === 0 ? "" : `${paragraphs.join("\n\n")}\n`;
}

function formatTopLevel(item: WrittenTopLevelAst): string {
  switch (item.kind) {
    case "use":
      return withComments(item, `use ${item.feature.value}`, "");
    case "definition":
    case "partial":
      return withComments(item, formatDefinition(item), "");
    case "caveat":
      return withComments(item, formatCaveat(item), "");
  }
}

/** formatDefinition formats a definition, or a partial. */
function formatDefinition(definition: WrittenDefinitionAst): string {
  const header = `${definition.kind} ${definition.name.value} {`;
  if (definition.members.length === 0 && definition.innerTrailingComments.length === 0)
    return `${header}}`;
  const lines: string[] = [header];
  let previous: WrittenMemberAst | undefined;
  for (const member of definition.members) {
    if (previous && previous.kind !== member.kind) lines.push("");
    lines.push(withComments(member, formatMember(member), INDENT));
    previous = member;
  }
  for (const comment of definition.innerTrailingComments)
    lines.push(indentComment(comment, INDENT));
  lines.push("}");
  return lines.join("\n");
}

function formatMember(member: WrittenMemberAst): string {
  if (member.kind === "spread") return `...${member.name.value}`;
  if (member.kind === "relation") {
    return `relation ${member.name.value}: ${member.subjects.map(formatAllowedSubject).join(" | ")}`;
  }
  return `permission ${member.name.value} = ${formatExpression(member.expression)}`;
}

function formatAllowedSubject(subject: AllowedSubjectAst): string {
  let text = subject.type.value;
  if (subject.wildcard) text += ":*";
  if (subject.relation) text += `#${subject.relation.value}`;
  const traits = [subject.caveat?.value, subject.expiration?.value].filter((t) => t !== undefined);
  if (traits.length > 0) text += ` with ${traits.join(" and ")}`;
  return text;
}

/** formatExpression prints a permission expression, parenthesizing operands whose operator differs. */
export function formatExpression(expression: ExpressionAst): string {
  switch (expression.kind) {
    case "nil":
    case "self":
      return expression.kind;
    case "reference":
      return expression.name.value;
    case "arrow": {
      const { relation, target } = expression;
      if (expression.function === "arrow") return `${relation.value}->${target.value}`;
      return `${relation.value}.${expression.function}(${target.value})`;
    }
    case "union":
    case "intersection": {
      const operator = expression.kind === "union" ? " + " : " & ";
      return expression.operands
        .map((operand) => formatOperand(operand, expression.kind))
        .join(operator);
    }
    case "exclusion": {
      const base = formatOperand(expression.base, "exclusion");
      const subtracted =
        expression.subtracted.kind === "exclusion"
          ? `(${formatExpression(expression.subtracted)})`
          : formatOperand(expression.subtracted, "exclusion");
      return `${base} - ${subtracted}`;
    }
  }
}

function formatOperand(operand: ExpressionAst, parentKind: ExpressionAst["kind"]): string {
  const text = formatExpression(operand);
  const binary =
    operand.kind === "union" || operand.kind === "intersection" || operand.kind === "exclusion";
  return binary && operand.kind !== parentKind ? `(${text})` : text;
}

function formatCaveat(caveat: CaveatAst): string {
  const parameters = caveat.parameters
    .map((p) => `${p.name.value} ${formatCaveatTypeAst(p.type)}`)
    .join(", ");
  const body = caveat.expression
    .split("\n")
    .map((line) => (line === "" ? "" : `${INDENT}${line}`))
    .join("\n");
  return `caveat ${caveat.name.value}(${parameters}) {\n${body}\n}`;
}

function formatCaveatTypeAst(type: CaveatTypeAst): string {
  if (type.arguments.length === 0) return type.name.value;
  return `${type.name.value}<${type.arguments.map(formatCaveatTypeAst).join(", ")}>`;
}

function withComments(node: Commented, text: string, indent: string): string {
  const lines = node.comments.map((comment) => indentComment(comment, indent));
  // A trailing comment stays at the end of the node's last line, where the parser found it.
  const trailing = node.trailingComment ? ` ${node.trailingComment}` : "";
  lines.push(`${indent}${text}${trailing}`);
  return lines.join("\n");
}

function indentComment(comment: string, indent: string): string {
  return comment
    .split("\n")
    .map((line) => `${indent}${line}`)
    .join("\n");
}
