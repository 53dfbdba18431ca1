"""Shrink the probe's Python source for bundling, keeping its code the same.

    python3 scripts/strip_probe.py PROBE.py > STRIPPED.py
    python3 scripts/strip_probe.py PROBE.py --report   # sizes, on stderr

The front end sends the probe's source to the monitor kernel, so the source
is bundled into the labextension as text. Comments, docstrings, blank lines
and most indentation are what a reader needs and the kernel does not. This
removes them:

* comments (tokenize's COMMENT tokens, the shebang included);
* docstrings of the module, classes and functions (a body left empty gets
  ``pass``); skipped when the source mentions ``__doc__``;
* blank lines and trailing spaces outside string literals;
* indentation: one space per block level, none on continuation lines;
* spaces between tokens, where two tokens do not run together without
  them (each logical line rebuilt from its tokens on one line).

It then checks its own work: the stripped source must parse to the same
syntax tree as the original with its docstrings taken out (``ast.dump``
without line numbers). When it does not, the next milder level is tried
(lines kept as written but re-indented, then not re-indented, then
comments and docstrings only); when none passes, or
anything fails, the original source is printed unchanged and the reason goes
to stderr. So the output is always a module that does exactly what the
original does, except that ``__doc__`` strings are gone.

Standard library only; runs on the Python that builds the extension.
"""
import ast
import gzip
import io
import sys
import tokenize

_DOC_OWNERS = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _docstring_nodes(tree):
    """(owner, Expr) of each docstring."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, _DOC_OWNERS) and node.body:
            first = node.body[0]
            if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                    and isinstance(first.value.value, str)):
                out.append((node, first))
    return out


def expected_tree(source):
    """The original's syntax tree with docstrings removed, as ast.dump text."""
    tree = ast.parse(source)
    for owner, doc in _docstring_nodes(tree):
        owner.body.remove(doc)
        if not owner.body:
            owner.body.append(ast.Pass())
    return ast.dump(tree, include_attributes=False)


def _offsets(lines):
    """Offset in the source of the start of each line (1-based rows)."""
    starts = [0, 0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def strip(source, level=3):
    """The stripped source; level 1: comments and docstrings, 2: + blank
    lines and trailing spaces, 3: + indentation."""
    lines = source.splitlines(True)
    starts = _offsets(lines)
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    chars = list(source)

    def blank(start, end, text=""):
        a = starts[start[0]] + start[1]
        b = starts[end[0]] + end[1]
        for i in range(a, b):
            if chars[i] != "\n":
                chars[i] = " "
        for i, ch in enumerate(text):
            chars[a + i] = ch

    docs = []
    if "__doc__" not in source:
        for owner, doc in _docstring_nodes(ast.parse(source)):
            # ast's columns count UTF-8 bytes, tokenize's characters
            r0, r1 = doc.lineno, doc.end_lineno
            c0 = len(lines[r0 - 1].encode("utf-8")[:doc.col_offset].decode("utf-8"))
            c1 = len(lines[r1 - 1].encode("utf-8")[:doc.end_col_offset].decode("utf-8"))
            docs.append(((r0, c0), (r1, c1), "pass" if len(owner.body) == 1 else ""))
    doc_starts = set(d[0] for d in docs)

    # rows whose start, or whose end, lies inside a token that spans lines
    # (a triple-quoted string that stays): their spaces belong to the string
    inside_start, inside_end = set(), set()
    for tok in tokens:
        (r0, _), (r1, _) = tok.start, tok.end
        if (r1 > r0 and tok.type not in (tokenize.NEWLINE, tokenize.NL)
                and tok.start not in doc_starts):
            inside_start.update(range(r0 + 1, r1 + 1))
            inside_end.update(range(r0, r1))

    for tok in tokens:
        if tok.type == tokenize.COMMENT:
            blank(tok.start, tok.end)
    for start, end, text in docs:
        blank(start, end, text)
    text = "".join(chars)
    if level < 2:
        return text

    # indentation depth at the start of each logical line
    logical = {}
    depth = 0
    at_start = True
    for tok in tokens:
        if tok.type == tokenize.INDENT:
            depth += 1
        elif tok.type == tokenize.DEDENT:
            depth -= 1
        elif tok.type == tokenize.NEWLINE:
            at_start = True
        elif tok.type in (tokenize.NL, tokenize.COMMENT, tokenize.ENDMARKER):
            pass
        elif at_start:
            logical[tok.start[0]] = depth
            at_start = False

    out = []
    for row, line in enumerate(text.splitlines(True), 1):
        if row in inside_start:
            body = line
        else:
            if not line.strip():
                continue
            if level >= 3:
                body = (" " * logical[row] if row in logical else "") + line.lstrip()
            else:
                body = line
        if row not in inside_end:
            body = body.rstrip() + "\n"
        out.append(body)
    return "".join(out)


_PAIRS = {"**", "//", "<<", ">>", "<=", ">=", "==", "!=", "->", "+=", "-=", "*=",
          "/=", "%=", "@=", "&=", "|=", "^=", ":=", ".."}


def _isid(ch):
    return ch.isalnum() or ch == "_"


def minify(source):
    """Level 4: each logical line rebuilt from its tokens on one physical
    line, one space per block level, a space between two tokens only where
    they would otherwise run together; comments and docstrings dropped."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    lines = source.splitlines(True)
    starts = _offsets(lines)
    docs = {}
    if "__doc__" not in source:
        for owner, doc in _docstring_nodes(ast.parse(source)):
            c0 = len(lines[doc.lineno - 1].encode("utf-8")[:doc.col_offset].decode("utf-8"))
            docs[(doc.lineno, c0)] = "pass" if len(owner.body) == 1 else None
    out = []
    line = []          # (type, text) of the logical line being built
    depth = 0
    line_depth = 0
    prev = None
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        kind = tokenize.tok_name[tok.type]
        text = tok.string
        if kind.endswith("STRING_START"):
            # 3.12+ splits f-strings into parts: keep the literal as written
            nest, j = 0, i
            while True:
                k = tokenize.tok_name[tokens[j].type]
                nest += k.endswith("STRING_START")
                nest -= k.endswith("STRING_END")
                if nest == 0:
                    break
                j += 1
            a = starts[tok.start[0]] + tok.start[1]
            b = starts[tokens[j].end[0]] + tokens[j].end[1]
            text, kind, i = source[a:b], "STRING", j
        i += 1
        if kind in ("COMMENT", "NL", "ENCODING", "ENDMARKER"):
            continue
        if kind == "INDENT":
            depth += 1
            continue
        if kind == "DEDENT":
            depth -= 1
            continue
        if kind == "NEWLINE":
            if line:
                out.append(" " * line_depth + "".join(t for _, t in line) + "\n")
            line, prev = [], None
            continue
        if kind == "STRING" and not line and tok.start in docs:
            if docs[tok.start] is None:
                continue
            text = docs[tok.start]
        if not line:
            line_depth = depth
        elif prev is not None:
            p_kind, p_text = prev
            if ((_isid(p_text[-1]) and _isid(text[0]))
                    or (p_kind == "NUMBER" and text[0] == ".")
                    or (p_kind == "OP" and kind == "OP" and p_text[-1] + text[0] in _PAIRS)):
                line.append(("WS", " "))
        line.append((kind, text))
        prev = (kind, text)
    if line:
        out.append(" " * line_depth + "".join(t for _, t in line) + "\n")
    return "".join(out)


def shrink(source):
    """(text, level used, note). Level 0 is the original, unchanged."""
    try:
        want = expected_tree(source)
    except SyntaxError as e:
        return source, 0, "the original does not parse: %s" % e
    notes = []
    for level in (4, 3, 2, 1):
        try:
            text = minify(source) if level == 4 else strip(source, level)
            if ast.dump(ast.parse(text), include_attributes=False) == want:
                return text, level, "; ".join(notes)
            notes.append("level %d changed the syntax tree" % level)
        except Exception as e:  # never break the build: fall back
            notes.append("level %d failed: %r" % (level, e))
    return source, 0, "; ".join(notes)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("-"):
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        source = f.read()
    text, level, note = shrink(source)
    if note:
        print("strip_probe: %s" % note, file=sys.stderr)
    if "--report" in argv:
        gz = lambda s: len(gzip.compress(s.encode("utf-8"), 9, mtime=0))  # noqa: E731
        print("strip_probe: level %d; %d -> %d bytes, gzip %d -> %d bytes" % (
            level, len(source.encode("utf-8")), len(text.encode("utf-8")),
            gz(source), gz(text)), file=sys.stderr)
        return 0
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
