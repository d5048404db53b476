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

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("br", "hr", "img", "meta", "link", "input"):
            if tag == "br" and self.clauses and self.in_wording():
                self.clauses[-1]["old"].append("")
                self.clauses[-1]["new"].append("")
            return
        self.stack.append((tag, classes))
        if tag == "section" and "clause" in classes:
            self.clauses.append({"label": "", "old": [], "new": []})
        elif tag == "p" and self.clauses and self.in_wording():
            self.clauses[-1]["old"].append("")
            self.clauses[-1]["new"].append("")

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def inside(self, tag, cls=None):
        return any(t == tag and (cls is None or cls in c) for t, c in self.stack)

    def in_wording(self):
        paragraph = [c for t, c in self.stack if t == "p"]
        return not paragraph or not ({"note", "attribution"} & set(paragraph[-1]))

    def handle_data(self, data):
        if not self.clauses or self.inside("span", "sr-only"):
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

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            if self.in_clause:
                for side in ("old", "new"):
                    self.clauses[-1][side].append("")
            return
        if tag == "p":
            self.paragraph_start, self.in_clause = True, False
        else:
            if tag == "strong" and self.paragraph_start:
                self.clauses.append({"label": "", "old": [""], "new": [""]})
                self.in_clause = self.in_label = True
            self.paragraph_start = False
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag == "strong" and self.in_label:
            self.in_label = False
        if tag == "p":
            self.in_clause = False
        while self.stack and self.stack.pop() != tag:
            pass

    def handle_data(self, data):
        if self.paragraph_start and data.strip():
            self.paragraph_start = False
        if not self.in_clause:
            return
        clause = self.clauses[-1]
        if self.in_label:
            clause["label"] += data
            return
        for side, hidden in (("old", "ins"), ("new", "del")):
            if hidden in self.stack:
                continue
            line = clause[side][-1] + data
            # The space after the label, and the line break after each <br>, are Markdown's.
            if len(clause[side]) == 1 and clause[side][-1] == "":
                line = line.removeprefix(" ")
            clause[side][-1] = line.lstrip("\n ") if clause[side][-1] == "" else line


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
    """The piped terminal form: a blank line, the label, then the lines indented by four."""
    clauses = []
    for block in text.split("\n\n")[1:]:
        lines = block.split("\n")
        clause = {"label": lines[0], "old": [], "new": []}
        for line in lines[1:]:
            body = line[4:]
            if NOTE.match(body):
                continue
            old, new = critic_sides(body)
            clause["old"].append(old)
            clause["new"].append(new)
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
    else:
        clauses = critic(text)
    for clause in clauses:
        clause["label"] = " ".join(clause["label"].split())
    json.dump(clauses, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
