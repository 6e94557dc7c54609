"""Education pages' text, from the plain markup editors type to blocks a template draws.

The markup is deliberately tiny, so that editors need no HTML (and can inject none): a blank
line separates blocks; a block starting "## " is a heading; a block of lines starting "- " is
a list, whose items may start with [green], [amber] or [red] for a coloured marker; any other
block is a paragraph. Everything stays text, escaped by the template.
"""

import re
from dataclasses import dataclass, field

MARKERS = ("green", "amber", "red")
_MARKER = re.compile(r"^\[(green|amber|red)\]\s*")


@dataclass(frozen=True)
class ListItem:
    text: str
    marker: str = ""  # "green", "amber", "red" or ""


@dataclass(frozen=True)
class Block:
    kind: str  # "heading", "paragraph" or "list"
    text: str = ""
    items: tuple[ListItem, ...] = field(default_factory=tuple)


def blocks(body: str) -> list[Block]:
    """The page's blocks, in order."""
    found = []
    for chunk in re.split(r"\n\s*\n", body.replace("\r\n", "\n").strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if not lines:
            continue
        if lines[0].startswith("## ") and len(lines) == 1:
            found.append(Block("heading", text=lines[0][3:].strip()))
        elif all(line.startswith("- ") for line in lines):
            items = []
            for line in lines:
                text = line[2:].strip()
                match = _MARKER.match(text)
                marker = match[1] if match else ""
                items.append(ListItem(text=text[match.end() :] if match else text, marker=marker))
            found.append(Block("list", items=tuple(items)))
        else:
            found.append(Block("paragraph", text=" ".join(lines)))
    return found


def plain_sentences(body: str) -> str:
    """The text as a reader meets it, one sentence a line: headings and list items count as
    sentences of their own (a reading-grade formula would otherwise run them together into
    one very long sentence), markers left out."""
    lines = []
    for block in blocks(body):
        texts = [item.text for item in block.items] if block.kind == "list" else [block.text]
        for text in texts:
            lines.append(text if text.endswith((".", "?", "!", ":")) else f"{text}.")
    return "\n".join(lines)
