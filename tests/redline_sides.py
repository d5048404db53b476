#!/usr/bin/env python3
"""Reads a decl redline back into its two sides, independently of decl's own code.

    python3 redline_sides.py html FILE     # decl redline --format html (or Markdown made HTML)
    python3 redline_sides.py critic FILE   # decl redline, piped (CriticMarkup)

Prints JSON: one entry per clause shown, in order, {"label", "old": [lines], "new": [lines]},
where "old" is what Reject All would leave (equal text and deletions) and "new" what Accept
All would (equal text and insertions). Notes and attributions under a clause are left out.
The tests compare both sides with the texts of the two revisions.
"""

import json
import re
import sys
from html.parser import HTMLParser


class RedlineHtml(HTMLParser):
    """Collects each `section.clause`: its `h3` label and the text of its paragraphs that are
    wording (not notes), with `ins` left out of the old side, `del` out of the new side, and
    screen-reader-only announcements out of both."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.clauses = []
        self.stack = []  # (tag, classes) of open elements
        # A deleted (inserted) pilcrow ends a line whose break the newer (older) text lacks:
        # the next line continues this one on that side.
        self.join = set()

    def new_line(self):
        for side in ("old", "new"):
            if side in self.join:
                self.join.discard(side)
            else:
                self.clauses[-1][side].append("")

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("br", "hr", "img", "meta", "link", "input"):
            if tag == "br" and self.clauses and self.in_wording():
                self.new_line()
            return
        self.stack.append((tag, classes))
        if "pilcrow" in classes:
            self.join.add("new" if tag == "del" else "old")
        if tag == "section" and "clause" in classes:
            self.clauses.append({"label": "", "old": [], "new": []})
            self.join = set()
        elif tag == "p" and self.clauses and self.in_wording():
            if not self.clauses[-1]["old"]:
                self.join = set()
            self.new_line()

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def inside_class(self, cls):
        return any(cls in c for _, c in self.stack)

    def inside(self, tag, cls=None):
        return any(t == tag and (cls is None or cls in c) for t, c in self.stack)

    def in_wording(self):
        paragraph = [c for t, c in self.stack if t == "p"]
        return not paragraph or not ({"note", "attribution"} & set(paragraph[-1]))

    def handle_data(self, data):
        if not self.clauses or self.inside("span", "sr-only") or self.inside_class("pilcrow"):
            return
        clause = self.clauses[-1]
        if self.inside("h3"):
            clause["label"] += data
        elif self.inside("p") and self.in_wording() and clause["old"]:
            if not self.inside("ins"):
                clause["old"][-1] += data
            if not self.inside("del"):
                clause["new"][-1] += data


class MarkdownHtml(HTMLParser):
    """decl's Markdown redline after pandoc made it HTML: a paragraph that opens with a bold
    label is a clause, its lines separated by `<br>`; other paragraphs are notes or headings."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.clauses = []
        self.stack = []
        self.paragraph_start = False
        self.in_clause = False
        self.in_label = False
        self.in_pilcrow = False
        self.join = set()
        self.after_br = False

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.after_br = True
            if self.in_clause:
                for side in ("old", "new"):
                    if side in self.join:
                        self.join.discard(side)
                    else:
                        self.clauses[-1][side].append("")
            return
        if "pilcrow" in (dict(attrs).get("class") or "").split():
            self.join.add("new" if tag == "del" else "old")
            self.in_pilcrow = True
        if tag == "p":
            self.paragraph_start, self.in_clause = True, False
        else:
            if tag == "strong" and self.paragraph_start:
                self.clauses.append({"label": "", "old": [""], "new": [""]})
                self.join = set()
                self.in_clause = self.in_label = True
            self.paragraph_start = False
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in ("del", "ins"):
            self.in_pilcrow = False
        if tag == "strong" and self.in_label:
            self.in_label = False
        if tag == "p":
            self.in_clause = False
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if self.paragraph_start and data.strip():
            self.paragraph_start = False
        if self.after_br and data:
            # The line break after `<br>` in the Markdown is Markdown's, not the text's.
            data = data[1:] if data[0] in " \n" else data
            self.after_br = False
        if not self.in_clause or self.in_pilcrow:
            return
        clause = self.clauses[-1]
        if self.in_label:
            clause["label"] += data
            return
        for side, hidden in (("old", "ins"), ("new", "del")):
            if hidden in self.stack:
                continue
            line = clause[side][-1] + data
            # The space after the label is Markdown's.
            if len(clause[side]) == 1 and clause[side][-1] == "":
                line = line.removeprefix(" ")
            clause[side][-1] = line


NOTE = re.compile(r"^(Moved|Status: |[A-Z]+-\d+: (proposed by|accepted as modified) )")


def critic_sides(line):
    """One line of CriticMarkup as (old, new); backslash escapes the next character."""
    old, new, state, i = [], [], "equal", 0
    while i < len(line):
        if line[i] == "\\":
            char = line[i + 1]
            if state != "inserted":
                old.append(char)
            if state != "deleted":
                new.append(char)
            i += 2
        elif state == "equal" and line.startswith("{>>", i):
            i = line.index("<<}", i) + 3  # a comment: who made the change, not text
        elif state == "equal" and line.startswith("{--", i):
            state, i = "deleted", i + 3
        elif state == "equal" and line.startswith("{++", i):
            state, i = "inserted", i + 3
        elif state == "deleted" and line.startswith("--}", i):
            state, i = "equal", i + 3
        elif state == "inserted" and line.startswith("++}", i):
            state, i = "equal", i + 3
        else:
            if line[i] in "{}":
                raise ValueError(f"unescaped brace in {line!r}")
            if state != "inserted":
                old.append(line[i])
            if state != "deleted":
                new.append(line[i])
            i += 1
    if state != "equal":
        raise ValueError(f"unclosed marker in {line!r}")
    return "".join(old), "".join(new)


def critic(text):
    """The piped terminal form: a blank line, the label, then the lines indented by four. A
    change may span lines (a deleted or inserted line break), so a clause's lines are read
    as one text."""
    clauses = []
    for block in text.split("\n\n")[1:]:
        lines = block.split("\n")
        wording = [line[4:] for line in lines[1:] if not NOTE.match(line[4:])]
        old, new = critic_sides("\n".join(wording)) if wording else ("", "")
        clauses.append({"label": lines[0], "old": old.split("\n"), "new": new.split("\n")})
    return clauses


SGR = re.compile(r"\x1b\[([0-9;]*)m")


def ansi(text):
    """The coloured terminal form: struck red (SGR 9) deleted, underlined green (SGR 4)
    inserted, dim (SGR 2) the tag naming who made a change; a struck or underlined pilcrow
    ends a line whose break the other text lacks."""
    clauses = []
    for block in text.split("\n\n")[1:]:
        lines = block.split("\n")
        clause = {"label": SGR.sub("", lines[0]), "old": [], "new": []}
        join, joined = set(), set()
        for line in lines[1:]:
            body = line[4:]
            if NOTE.match(SGR.sub("", body)):
                continue
            sides = {"old": "", "new": ""}
            codes, at = set(), 0
            for match in SGR.finditer(body + "\x1b[0m"):
                piece = body[at:match.start()]
                at = match.end()
                if "2" not in codes and piece:
                    for side, hidden in (("old", "4"), ("new", "9")):
                        if hidden in codes:
                            continue
                        if piece == "\u00b6" and codes & {"4", "9"}:
                            join.add("new" if "9" in codes else "old")
                        else:
                            sides[side] += piece
                params = match.group(1).split(";") if match.group(1) else ["0"]
                codes = set() if "0" in params else codes | set(params)
            for side in ("old", "new"):
                if side in joined:
                    clause[side][-1] += sides[side]
                else:
                    clause[side].append(sides[side])
            joined = set(join)
            join = set()
        clauses.append(clause)
    return clauses


def main():
    kind, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if kind in ("html", "md"):
        parser = RedlineHtml() if kind == "html" else MarkdownHtml()
        parser.feed(text)
        clauses = parser.clauses
    elif kind == "ansi":
        clauses = ansi(text)
    else:
        clauses = critic(text)
    for clause in clauses:
        clause["label"] = " ".join(clause["label"].split())
    json.dump(clauses, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
