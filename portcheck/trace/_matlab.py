"""Find the assignments of a ``.m`` file and write a copy that records each one.

Pure Python, no Octave. The parsing is MISS_HIT's (``miss_hit_core``): a real
MATLAB/Octave lexer and parser that yields a tree whose tokens carry line and
column. Octave accepts syntax MATLAB's grammar does not (``endif``, ``+=``,
backslash escapes in double-quoted strings, ``!``), so the parser reads a
*normalised* text: a token-aware pass that rewrites only those spellings, each
into MATLAB of exactly the same length, so every (line, column) of the
normalised text is the same place in the original. The parser never sees the
original, and Octave never sees the normalised text: the recording calls are
inserted into the original source.

Instrumentation keeps every line where it was. After each assignment
statement, on the line where the statement ends, it inserts
``portcheck_trace_record(K, name);`` (one call per assigned name; ``K``
numbers the site). Line numbers in Octave's error messages therefore stay
those of the user's file, and a ``return`` or an error can only skip the
recording of statements that had not run yet.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

__all__ = ["Site", "ParsedFile", "MatlabParseError", "normalise", "parse_m", "instrument", "RECORDER"]

_LOOPS: tuple = ()

#: The Octave function each inserted call goes to (matlab_refs/portcheck/).
RECORDER = "portcheck_trace_record"


class MatlabParseError(Exception):
    """The file could not be parsed; it runs uninstrumented.

    Attributes
    ----------
    line : int or None
        Where the parser stopped, when it said.
    reason : str
    """

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"the MATLAB parser stopped at line {line}: {reason}" if line else reason)


@dataclass(frozen=True)
class Site:
    """One recorded name of one assignment statement.

    Attributes
    ----------
    line : int
        1-based line where the statement starts (what a step reports).
    name : str
        The variable assigned; ``x`` for ``x(i, :) = ...`` and ``s.f = ...``.
    function : str
        The function (or script) whose body holds the statement.
    at : tuple of (int, int)
        ``(line, column)`` in the source where the recording call goes: just
        after the statement's terminator, on the statement's last line.
    terminated : bool
        Whether the statement ends with ``;`` or ``,`` (otherwise the
        inserted text starts with a comma to end it).
    position : int
        For a function's parameter (recorded as the call enters the
        function, right after its header): its 1-based position, so the
        recording runs only when the caller passed it (``nargin``). 0 for
        an assignment.
    """

    line: int
    name: str
    function: str
    at: tuple[int, int]
    terminated: bool
    position: int = 0
    #: For a term of a sum: the term's source (``-(b)`` for ``a - b``), recorded
    #: after the statement, while the variable it builds holds one number.
    expression: str = ""
    #: Identifiers the term mentions (a term that calls a user's function is not re-evaluated).
    mentions: frozenset[str] = frozenset()


@dataclass
class ParsedFile:
    """What instrumentation needs from one ``.m`` file.

    Attributes
    ----------
    sites : list of Site
        In source order (statement by statement, names left to right).
    identifiers : set of str
        Every identifier the file mentions: the candidates for helper
        functions defined in other ``.m`` files.
    functions : list of str
        Names of the functions the file defines (the first is the file's own).
    parameters : list of Site
        One per named parameter of each function (``position`` set),
        recorded as a call enters the function.
    terms : list of Site
        One per term of a plain sum assigned to a variable outside loops
        (``expression`` set), recorded after the statement while the sum is
        one number.
    """

    sites: list[Site] = field(default_factory=list)
    identifiers: set[str] = field(default_factory=set)
    functions: list[str] = field(default_factory=list)
    parameters: list[Site] = field(default_factory=list)
    terms: list[Site] = field(default_factory=list)


# ----------------------------------------------------------------------------
# Octave spellings -> MATLAB of the same length (for the parser only)

# Octave's block closers and the unwind_protect block, mapped onto the MATLAB
# keywords that give the same block structure.
_KEYWORDS = {
    "endfunction": "end",
    "endif": "end",
    "endfor": "end",
    "endwhile": "end",
    "endswitch": "end",
    "endparfor": "end",
    "end_try_catch": "end",
    "end_unwind_protect": "end",
    "unwind_protect": "try",
    "unwind_protect_cleanup": "catch",
}
# Octave's compound assignment operators; for the parser `x += e` is `x = e`
# (the recorded name and line are the same).
_COMPOUND = ("+=", "-=", "*=", "/=", "^=")
_IDENT = re.compile(r"[A-Za-z_]\w*")
# `++`/`--` ending a statement, right after a variable or an index.
_INCREMENT = re.compile(r"(?<=[\w)\]}])(\+\+|--)[ \t]*(?=[;,\r\n%#]|$)")
_NUMBER = re.compile(r"(0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eEdD][+-]?\d+)?)[ij]?")
# A quote right after one of these (no space) is a transpose, not a string.
_VALUE_END = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_)]}.'\"")


def normalise(text: str) -> str:
    """Rewrite Octave-only spellings into MATLAB the parser accepts, moving no token.

    Strings keep their quotes but their contents become ``x`` (so escapes and
    comment characters inside them cannot confuse the parser); ``#`` comments
    become ``%``; ``!``/``!=`` become ``~``/``~=``; ``**`` becomes ``^``; ``x += e``
    becomes ``x  = e`` and a statement ``x++`` becomes ``x=1``; Octave's
    ``endif``-style keywords become ``end`` padded with spaces; a line break
    inside parentheses gets the ``...`` MATLAB needs, appended at the line's
    end. Every token keeps its line and column.

    Raises
    ------
    MatlabParseError
        For an unterminated string.
    """
    # Windows line ends: MISS_HIT rejects the carriage return; a space keeps
    # every column where it was.
    text = text.replace("\r", " ")
    out = list(text)
    n = len(text)
    i = 0
    line = 1
    brackets: list[str] = []  # the open ( [ { around the current character
    line_start = True
    in_block = 0
    while i < n:
        if line_start:
            line_start = False
            eol = text.find("\n", i)
            eol = n if eol < 0 else eol
            stripped = text[i:eol].strip()
            if stripped in ("%{", "#{", "%}", "#}") or in_block:
                if stripped in ("%{", "#{"):
                    in_block += 1
                elif stripped in ("%}", "#}") and in_block:
                    in_block -= 1
                elif not in_block:
                    pass  # a lone closer outside a block is an ordinary comment
                for j in range(i, eol):
                    if text[j] == "#":
                        out[j] = "%"
                i = eol
                continue
        c = text[i]
        if c == "\n":
            if brackets and brackets[-1] == "(":
                # Octave continues a line inside parentheses without `...`;
                # MATLAB's grammar needs it. At the line's end it moves no token.
                out[i] = " ..." + out[i]
            line += 1
            line_start = True
            i += 1
            continue
        if c in "%#":
            out[i] = " ...%" if brackets and brackets[-1] == "(" else "%"
            eol = text.find("\n", i)
            i = n if eol < 0 else eol
            continue
        if text.startswith("...", i):
            eol = text.find("\n", i)  # the rest of the line is a comment
            i = n if eol < 0 else eol + 1
            if eol >= 0:
                line += 1
            continue
        if c == '"':
            j = i + 1
            while True:
                if j >= n or text[j] == "\n":
                    raise MatlabParseError("unterminated double-quoted string", line)
                if text[j] == "\\":
                    if text.startswith("\n", j + 1) or text.startswith(" \n", j + 1):
                        raise MatlabParseError("a double-quoted string continued on the next line", line)
                    j += 2
                    continue
                if text[j] == '"':
                    if text.startswith('""', j):
                        j += 2
                        continue
                    break
                j += 1
            for k in range(i + 1, j):
                out[k] = "x"
            i = j + 1
            continue
        if c == "'":
            prev = text[i - 1] if i > 0 else ""
            if prev and prev in _VALUE_END:
                i += 1  # transpose
                continue
            j = i + 1
            while True:
                if j >= n or text[j] == "\n":
                    raise MatlabParseError("unterminated string", line)
                if text[j] == "'":
                    if text.startswith("''", j):
                        j += 2
                        continue
                    break
                j += 1
            for k in range(i + 1, j):
                out[k] = "x"
            i = j + 1
            continue
        if c.isalpha() or c == "_":
            m = _IDENT.match(text, i)
            word = m.group(0)
            after_dot = i > 0 and text[i - 1] == "."
            if word in _KEYWORDS and not after_dot:
                repl = _KEYWORDS[word].ljust(len(word))
                out[i:m.end()] = list(repl)
            i = m.end()
            continue
        if c.isdigit() or (c == "." and i + 1 < n and text[i + 1].isdigit()):
            m = _NUMBER.match(text, i)
            i = m.end() if m and m.end() > i else i + 1
            continue
        if c == "!":
            out[i] = "~"
            i += 1
            continue
        if text.startswith("**", i):
            out[i:i + 2] = ["^", " "]
            i += 2
            continue
        two = text[i:i + 2]
        if two in _COMPOUND and not brackets:
            out[i:i + 2] = [" ", "="]
            i += 2
            continue
        if two in ("++", "--") and not brackets and _INCREMENT.match(text, i):
            # `x++;` / `g(end, 2)--;` as a statement: for the parser, `x=1;`
            # (an assignment to the same variable on the same line).
            out[i:i + 2] = ["=", "1"]
            i += 2
            continue
        if c in "([{":
            brackets.append(c)
        elif c in ")]}" and brackets:
            brackets.pop()
        i += 1
    return "".join(out)


# ----------------------------------------------------------------------------
# parsing


def _root_name(node) -> str | None:
    """The variable an assignment target writes: ``x`` for ``x(i).f{2} = ...``."""
    from miss_hit_core import m_ast

    while True:
        if isinstance(node, m_ast.Identifier):
            name = node.t_ident.value
            return None if name == "~" else name
        if isinstance(node, (m_ast.Reference, m_ast.Cell_Reference)):
            node = node.n_ident
        elif isinstance(node, (m_ast.Selection, m_ast.Dynamic_Selection)):
            node = node.n_prefix
        else:
            return None


def _enclosing(node, classes):
    while node is not None and not isinstance(node, classes):
        node = node.n_parent
    return node


def parse_m(text: str, filename: str) -> ParsedFile:
    """Parse a ``.m`` source and list its assignment sites.

    Parameters
    ----------
    text : str
        The file's contents (original spelling; normalised here).
    filename : str
        Used for the script/function name and in messages.

    Returns
    -------
    ParsedFile

    Raises
    ------
    MatlabParseError
        When MISS_HIT rejects the file (after normalisation).
    """
    try:
        from miss_hit_core import m_ast
        from miss_hit_core.config import Config
        from miss_hit_core.errors import ICE, Error, Message_Handler
        from miss_hit_core.m_language import Octave_Latest_Language
        from miss_hit_core.m_lexer import MATLAB_Lexer, Token_Buffer
        from miss_hit_core.m_parser import MATLAB_Parser
    except ImportError:
        raise MatlabParseError(
            "the MATLAB parser (miss_hit_core) is not installed; `pip install miss_hit_core` to trace"
        ) from None

    norm = normalise(text)
    language = Octave_Latest_Language()
    cfg = Config()
    cfg.language = language
    mh = Message_Handler("trace")
    mh.register_file(filename)
    # MISS_HIT reports through its message handler, which may print; nothing
    # of it is for our user (a failure becomes a note), so keep stdout clean.
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            lexer = MATLAB_Lexer(language, mh, norm, filename)
            tbuf = Token_Buffer(lexer, cfg)
            tree = MATLAB_Parser(mh, tbuf, cfg).parse_file()
        except Error as exc:
            loc = getattr(exc, "location", None)
            raise MatlabParseError(str(getattr(exc, "message", exc)), getattr(loc, "line", None)) from None
        except ICE as exc:
            raise MatlabParseError(f"the MATLAB parser failed: {getattr(exc, 'reason', exc)}") from None
        except (AssertionError, RecursionError, IndexError) as exc:
            raise MatlabParseError(f"the MATLAB parser failed ({type(exc).__name__})") from None

    original_lines = text.split("\n")
    global _LOOPS
    _LOOPS = _loops()
    stem = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem[:-2] if stem.endswith(".m") else stem
    parsed = ParsedFile()
    assignment = (m_ast.Simple_Assignment_Statement, m_ast.Compound_Assignment_Statement)
    # First and last token of each assignment statement (their tokens are
    # contiguous; the terminator `;`/`,`/newline is linked to the statement).
    span: dict[int, list] = {}
    nodes: dict[int, object] = {}
    for idx, tok in enumerate(tbuf.tokens):
        if tok.kind == "IDENTIFIER":
            parsed.identifiers.add(tok.value)
        elif tok.kind in ("CARRAY", "STRING"):
            # feval('helper', ...) and str2func('helper') name helpers in strings;
            # the parser saw the string blanked, so read it from the original.
            loc = tok.location
            row = original_lines[loc.line - 1] if loc.line <= len(original_lines) else ""
            word = row[loc.col_start + 1:loc.col_end]
            if _IDENT.fullmatch(word):
                parsed.identifiers.add(word)
        stmt = _enclosing(tok.ast_link, assignment) if tok.ast_link is not None else None
        if stmt is None:
            continue
        # An assignment inside an anonymous function's body cannot exist, but
        # a statement nested in another statement can't either: one level.
        entry = span.setdefault(stmt.uid, [idx, idx])
        entry[1] = idx
        nodes[stmt.uid] = stmt

    definitions = []

    class _Functions(m_ast.AST_Visitor):
        def visit(self, node, n_parent, relation):
            if isinstance(node, m_ast.Function_Definition):
                parsed.functions.append(str(node.n_sig.n_name))
                definitions.append(node)

    tree.visit(None, _Functions(), "Root")
    parsed.parameters.extend(_parameter_sites(definitions, tbuf.tokens))

    for uid, (first, last) in sorted(span.items(), key=lambda kv: kv[1][0]):
        stmt = nodes[uid]
        targets = [stmt.n_lhs] if isinstance(stmt, m_ast.Simple_Assignment_Statement) else stmt.l_lhs
        names: list[str] = []
        for t in targets:
            nm = _root_name(t)
            if nm and nm not in names:
                names.append(nm)
        if not names:
            continue
        toks = tbuf.tokens
        start_line = toks[first].location.line
        end_tok = toks[last]
        # Step back over a trailing newline/comment to the statement's last
        # real token: the call goes right after it (before any comment).
        k = last
        while k > first and toks[k].kind in ("NEWLINE", "COMMENT", "CONTINUATION"):
            k -= 1
        end_tok = toks[k]
        terminated = end_tok.kind in ("SEMICOLON", "COMMA")
        at = (end_tok.location.line, end_tok.location.col_end + 1)
        func = _enclosing(stmt, (m_ast.Function_Definition,))
        fname = str(func.n_sig.n_name) if func is not None else stem
        for nm in names:
            parsed.sites.append(Site(start_line, nm, fname, at, terminated))
        if isinstance(stmt, m_ast.Simple_Assignment_Statement) and isinstance(stmt.n_lhs, m_ast.Identifier) \
                and _enclosing(stmt, _LOOPS) is None:
            terms = _terms(stmt.n_rhs, toks, original_lines)
            # `o = o + D * H`: after the statement, o is no longer the term it read.
            if any(names[0] in mentions for _, _, mentions in terms):
                terms = []
            for sign, text, mentions in terms:
                parsed.terms.append(Site(start_line, names[0], fname, at, True,
                                         expression=text if sign > 0 else f"-({text})", mentions=mentions))
    return parsed


def _loops():
    from miss_hit_core import m_ast

    return (m_ast.For_Loop_Statement, m_ast.While_Statement)


#: At most this many terms of one sum are recorded.
MAX_TERMS = 6


def _terms(rhs, tokens: list, lines: list[str]) -> list[tuple[int, str, frozenset[str]]]:
    """The terms of a sum (``J = data + reg``), each with its sign, source text and identifiers.

    A port that builds such a value in several statements (``J = data``, then
    ``J += reg``) is checked statement by statement against these: the
    statement whose share is no sum of the reference's terms is the wrong one.
    Only plain sums of at least two terms on one or more lines; a term whose
    tokens cannot be copied exactly (a matrix spread over lines) is not offered.
    """
    from miss_hit_core import m_ast

    def flatten(node, sign):
        if isinstance(node, m_ast.Binary_Operation) and node.t_op.value in ("+", "-") and not _parenthesised(node):
            right = sign if node.t_op.value == "+" else -sign
            return flatten(node.n_lhs, sign) + flatten(node.n_rhs, right)
        return [(sign, node)]

    def _parenthesised(node):
        return any(t.ast_link is node and t.kind == "BRA" for t in tokens)

    parts = flatten(rhs, 1)
    if not 2 <= len(parts) <= MAX_TERMS:
        return []
    out = []
    for sign, node in parts:
        inside = [k for k, t in enumerate(tokens) if t.ast_link is not None and _within(t.ast_link, node)]
        if not inside:
            return []
        first, last = min(inside), max(inside)
        text, mentions = [], set()
        prev = None
        for t in tokens[first:last + 1]:
            if t.kind in ("CONTINUATION", "COMMENT", "NEWLINE"):
                continue
            loc = t.location
            if loc.line != getattr(prev, "line", loc.line) and t.kind in ("M_BRA", "M_KET", "A_BRA", "A_KET"):
                return []
            row = lines[loc.line - 1] if loc.line <= len(lines) else ""
            if prev is not None and (loc.line != prev.line or loc.col_start > prev.col_end + 1):
                text.append(" ")
            text.append(row[loc.col_start:loc.col_end + 1])
            if t.kind == "IDENTIFIER":
                mentions.add(t.value)
            prev = loc
        out.append((sign, "".join(text), frozenset(mentions)))
    return out


def _within(node, root) -> bool:
    while node is not None:
        if node is root:
            return True
        node = node.n_parent
    return False


def _parameter_sites(definitions: list, tokens: list) -> list[Site]:
    """A site per named parameter of each function, recorded right after its header's ``)``.

    ``varargin`` and ignored (``~``) parameters are skipped, and so are
    functions with argument validation blocks (nothing may precede them).
    """
    index = {id(tok): k for k, tok in enumerate(tokens)}
    sites: list[Site] = []
    for node in definitions:
        sig = node.n_sig
        inputs = list(sig.l_inputs or [])
        if not inputs or getattr(node, "l_validation", None):
            continue
        last = index.get(id(inputs[-1].t_ident))
        if last is None:
            continue
        close = next((k for k in range(last + 1, min(last + 4, len(tokens))) if tokens[k].kind == "KET"), None)
        if close is None:
            continue
        at = (tokens[close].location.line, tokens[close].location.col_end + 1)
        fname = str(sig.n_name)
        for pos, ident in enumerate(inputs, start=1):
            name = str(ident.t_ident.value)
            if _IDENT.fullmatch(name) and name != "varargin":
                sites.append(Site(node.t_fun.location.line, name, fname, at, False, position=pos))
    return sites


# ----------------------------------------------------------------------------
# rewriting


def instrument(text: str, sites: Sequence[Site], site_ids: Sequence[int],
               recorder: str = RECORDER) -> str:
    """The source with a recording call after each site, lines unchanged.

    Parameters
    ----------
    text : str
        The original source (the one :func:`parse_m` parsed).
    sites : sequence of Site
    site_ids : sequence of int
        The number each site's call passes to the recorder.
    recorder : str
        Name of the Octave recording function.

    Returns
    -------
    str
        The instrumented source: same number of lines, each statement where
        it was.
    """
    by_place: dict[tuple[int, int], list[str]] = {}
    terminated: dict[tuple[int, int], bool] = {}
    for site, k in zip(sites, site_ids):
        call = f"{recorder}({k}, {site.name});"
        if site.position:
            call = f"if nargin >= {site.position}, {call} end;"
        elif site.expression:
            # Evaluated again, so only while the sum is one number (cheap); a
            # term that cannot be evaluated alone is not recorded, never an error.
            call = f"if numel({site.name}) == 1, try, {recorder}({k}, ({site.expression})); catch, end; end;"
        by_place.setdefault(site.at, []).append(call)
        terminated[site.at] = site.terminated
    lines = text.split("\n")
    # Right to left within a line, so earlier columns stay valid.
    for (ln, col) in sorted(by_place, reverse=True):
        calls = " ".join(by_place[(ln, col)])
        glue = " " if terminated[(ln, col)] else ", "
        row = lines[ln - 1]
        rest = row[col:]
        sep = " " if rest.strip() and not rest[0].isspace() else ""
        lines[ln - 1] = row[:col] + glue + calls + sep + rest
    return "\n".join(lines)
