// The fenced code blocks of a Markdown file, with the marker that says a block is not run.

/** NOT_RUN matches the marker put right before a block that the README test must not run. */
const NOT_RUN = /^<!--\s*not run:\s*(.+?)\s*-->$/;
const FENCE = /^(\s*)```(\S*)\s*$/;

/** ReadmeBlock is one fenced code block. */
export interface ReadmeBlock {
  /** The language after the opening fence: `sh`, `console`, `text`, `zed`, ... */
  readonly language: string;
  /** The line of the opening fence, from 1. */
  readonly line: number;
  /** The block's lines, without the fence's indentation. */
  readonly lines: readonly string[];
  /** Why the block is not run, from a `<!-- not run: REASON -->` line right before it. */
  readonly notRun?: string;
}

/**
 * readmeBlocks returns the fenced code blocks of markdown in order. A `<!-- not run: REASON -->`
 * line (blank lines may follow it) applies to the block that comes next; a marker that no block
 * follows is an error, so that a marker cannot outlive its block unnoticed.
 */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split("\n");
  const blocks: ReadmeBlock[] = [];
  let marker: { reason: string; line: number } | undefined;
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index] ?? "";
    const notRun = NOT_RUN.exec(text.trim());
    if (notRun !== null) {
      if (marker !== undefined) throw new Error(`line ${marker.line}: a marker with no block`);
      marker = { reason: notRun[1] ?? "", line: index + 1 };
      continue;
    }
    const fence = FENCE.exec(text);
    if (fence === null) {
      if (text.trim() !== "" && marker !== undefined) {
        throw new Error(`line ${marker.line}: a marker that no block follows`);
      }
      continue;
    }
    const indent = fence[1] ?? "";
    const close = lines.findIndex((l, i) => i > index && l.trim() === "```");
    if (close === -1) throw new Error(`line ${index + 1}: a block that is never closed`);
    blocks.push({
      language: fence[2] ?? "",
      line: index + 1,
      lines: lines
        .slice(index + 1, close)
        .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart())),
      ...(marker === undefined ? {} : { notRun: marker.reason }),
    });
    marker = undefined;
    index = close;
  }
  if (marker !== undefined) throw new Error(`line ${marker.line}: a marker that no block follows`);
  return blocks;
}
