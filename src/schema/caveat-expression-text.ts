// Normal form of a caveat's CEL text, so that formatting and re-parsing keep it unchanged.

/**
 * normalizeCaveatExpression trims a caveat body and removes the indentation its lines share,
 * keeping relative indentation. A first line written on the `{` line is trimmed on its own.
 */
export function normalizeCaveatExpression(text: string): string {
  const lines = text.split("\n").map((line) => line.trimEnd());
  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  while (lines.length > 0 && lines.at(-1)!.trim() === "") lines.pop();
  if (lines.length === 0) return "";
  const [first, ...rest] = lines;
  const inlineFirst = !/^[ \t\r]*\n/.test(text);
  const indented = inlineFirst ? rest : lines;
  const indent = Math.min(
    ...indented
      .filter((line) => line.trim() !== "")
      .map((line) => line.length - line.trimStart().length),
  );
  const dedent = (line: string) => line.slice(Number.isFinite(indent) ? indent : 0);
  return inlineFirst
    ? [first!.trim(), ...rest.map(dedent)].join("\n")
    : lines.map(dedent).join("\n");
}
