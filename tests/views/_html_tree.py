"""A tiny HTML tree for the view tests, on the standard library's html.parser.

``parse(markup)`` gives a :class:`Node` (the document) whose ``find_all`` / ``one`` look elements
up by tag, class and attributes, so a test asks for "the weights table's rows" instead of
matching markup with regular expressions. Parsing also checks that the markup is well formed:
every element that is opened is closed, in order.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import NamedTuple

import numpy as np

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    """One element: ``tag``, ``attrs`` (dict), ``children`` (Nodes and strings), ``parent``."""

    def __init__(self, tag, attrs=None, parent=None):
        self.tag, self.attrs, self.parent = tag, dict(attrs or {}), parent
        self.children = []

    def __repr__(self):
        attrs = "".join(f" {k}={v!r}" for k, v in self.attrs.items())
        return f"<{self.tag}{attrs}> ({len(self.children)} children)"

    def __getitem__(self, name):
        return self.attrs[name]

    def get(self, name, default=None):
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set:
        return set((self.attrs.get("class") or "").split())

    @property
    def text(self) -> str:
        """All the text inside, like the DOM's ``textContent``."""
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    @property
    def elements(self) -> list:
        """The child elements (no text)."""
        return [c for c in self.children if isinstance(c, Node)]

    def iter(self):
        """Every element below this one, in document order."""
        for child in self.elements:
            yield child
            yield from child.iter()

    def matches(self, tag=None, cls=None, **attrs) -> bool:
        """``attrs`` names use _ for - (``data_view="mask"`` is ``data-view='mask'``); None: present."""
        if tag is not None and self.tag != tag:
            return False
        if cls is not None and cls not in self.classes:
            return False
        for name, value in attrs.items():
            name = name.replace("_", "-")
            if name not in self.attrs or (value is not None and self.attrs[name] != str(value)):
                return False
        return True

    def find_all(self, tag=None, cls=None, **attrs) -> list:
        return [node for node in self.iter() if node.matches(tag, cls, **attrs)]

    def one(self, tag=None, cls=None, **attrs) -> Node:
        """The only element that matches (an AssertionError when there are none or several)."""
        found = self.find_all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one <{tag or '*'} class={cls} {attrs}>, found {len(found)}"
        return found[0]

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.stack[-1])
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, attrs, self.stack[-1]))

    def handle_endtag(self, tag):
        open_tag = self.stack[-1].tag
        assert tag == open_tag, f"</{tag}> closes <{open_tag}>: the markup is not well formed"
        self.stack.pop()

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(markup: str) -> Node:
    """The document tree of ``markup`` (an AssertionError if an element is left open)."""
    builder = _Builder()
    builder.feed(markup)
    builder.close()
    assert len(builder.stack) == 1, f"<{builder.stack[-1].tag}> is never closed"
    return builder.root


class Table(NamedTuple):
    """What a table shows: its caption, its column and row labels and its cells (as Nodes)."""
    caption: str
    columns: list
    rows: list
    cells: list

    def texts(self) -> list:
        """The text of every cell, row by row."""
        return [[cell.text for cell in row] for row in self.cells]

    def values(self) -> np.ndarray:
        """The cells as numbers, shape (rows, columns); NaN where a row has fewer cells or no number."""
        out = np.full((len(self.rows), len(self.columns) or max(map(len, self.cells), default=0)), np.nan)
        for i, row in enumerate(self.cells):
            for j, cell in enumerate(row):
                try:
                    out[i, j] = float(cell.text)
                except ValueError:
                    pass
        return out


def printed(values, digits=2) -> list:
    """How a view prints a matrix: each entry with ``digits`` decimals, row by row."""
    return [[f"{v:.{digits}f}" for v in row] for row in np.atleast_2d(values)]


def read_table(table: Node) -> Table:
    """Caption, labels and cells of a ``<table>``, checking that its header cells are labelled.

    Column labels are the ``<th scope='col'>`` of ``<thead>`` (after an empty corner cell), row
    labels the ``<th scope='row'>`` that opens each body row.
    """
    assert table.tag == "table", table
    caption = table.one("caption").text
    head = table.find_all("thead")
    columns = []
    if head:
        cells = head[0].one("tr").elements
        assert cells[0].tag == "th" and cells[0].text == "", "the corner cell is an empty <th>"
        assert all(c.tag == "th" and c.get("scope") == "col" for c in cells[1:]), "column labels need scope='col'"
        columns = [c.text for c in cells[1:]]
    rows, data = [], []
    for tr in table.one("tbody").find_all("tr"):
        label, *cells = tr.elements
        assert label.tag == "th" and label.get("scope") == "row", f"row {tr} does not open with <th scope='row'>"
        assert all(c.tag == "td" for c in cells)
        rows.append(label.text)
        data.append(cells)
    return Table(caption, columns, rows, data)


def view_table(root: Node, view: str) -> Table:
    """The table in the panel ``div.attn-view[data-view=view]`` of a view."""
    return read_table(root.one("div", "attn-view", data_view=view).one("table", "attn-table"))


def tables(root: Node) -> dict:
    """Every table of a view, by its panel's ``data-view``."""
    return {panel["data-view"]: read_table(panel.one("table"))
            for panel in root.find_all("div", "attn-view") if panel.find_all("table")}
