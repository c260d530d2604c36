"""Parsing and instrumenting ``.m`` sources (pure Python; Octave runs them in test_trace_octave)."""

from __future__ import annotations

import re
import textwrap

import pytest

from portcheck.trace._matlab import MatlabParseError, instrument, normalise, parse_m


def sites(src: str):
    return [(s.line, s.name, s.function) for s in parse_m(textwrap.dedent(src), "f.m").sites]


def test_normalise_keeps_every_line_length_and_rewrites_only_code():
    src = textwrap.dedent("""\
        function y = f(x)  # comment with 'quote
          s = "it's \\" % not a comment"; t = 'a "b" # c';
          if x != 1 && !isempty(x)
            y = x' ** 2; y += 1;
          endif
          #{
          block = 1;
          #}
        endfunction
        """)
    out = normalise(src)
    assert [len(a) for a in src.split("\n")] == [len(b) for b in out.split("\n")]
    assert "endif" not in out and "endfunction" not in out and "!" not in out.replace("%", "")
    assert "y  = 1" in out and "x' ^  2" in out
    assert "% comment with 'quote" in out
    # String contents are blanked for the parser, quotes kept.
    assert re.search(r's = "x+"; t = \'x+\';', out)


def test_strings_comments_and_continuations_do_not_make_sites():
    got = sites("""\
        function y = f(x)
          % z = 1;  a comment that looks like code
          msg = 'a = b; c = d';
          y = x + ...  w = 2 in a continuation comment
              1;
        end
        """)
    assert got == [(3, "msg", "f"), (4, "y", "f")]


def test_targets_end_inside_indexing_and_multiple_assignment():
    got = sites("""\
        function [a, b] = f(x)
          x(end + 1, :) = 0; s.f(2).g = x(end); c{end} = 1;
          [a, ~, b] = deal(x, 1, 2);
          [m, i] = max(x(:, end));
        end
        """)
    assert got == [(2, "x", "f"), (2, "s", "f"), (2, "c", "f"), (3, "a", "f"), (3, "b", "f"),
                   (4, "m", "f"), (4, "i", "f")]


def test_subfunctions_and_nested_functions_are_named():
    got = sites("""\
        function y = outer(x)
          y = helper(x);
          function z = nested(w)
            z = w;
          end
        end
        function h = helper(x)
          h = 2 * x;
        end
        """)
    assert got == [(2, "y", "outer"), (4, "z", "nested"), (8, "h", "helper")]


def test_instrument_keeps_lines_and_records_after_each_statement():
    src = textwrap.dedent("""\
        function y = f(x)
          a = x; b = a * 2  % shown
          y = a + ...
              b;
        end""")
    pf = parse_m(src, "f.m")
    out = instrument(src, pf.sites, [1, 2, 3])
    lines = out.split("\n")
    assert len(lines) == len(src.split("\n"))
    assert lines[1] == "  a = x; portcheck_trace_record(1, a); b = a * 2, portcheck_trace_record(2, b);  % shown"
    assert lines[2] == "  y = a + ..."
    assert lines[3] == "      b; portcheck_trace_record(3, y);"
    assert [s.line for s in pf.sites] == [2, 2, 3]


def test_unparsable_source_raises_with_its_line():
    with pytest.raises(MatlabParseError) as err:
        parse_m("function y = f(x)\n  y = x;\n  a = b = x;\nend\n", "f.m")
    assert err.value.line == 3
    with pytest.raises(MatlabParseError):
        parse_m("function y = f(x)\n  y = 'unterminated;\nend\n", "f.m")


def test_windows_line_ends_and_tabs():
    src = "function y = f(x)\r\n\ta = x;\tb = a * 2; % c\r\n\t#{\r\n\tz = 1;\r\n\t#}\r\n\ty = a + b;\r\nend\r\n"
    pf = parse_m(src, "f.m")
    assert [(s.line, s.name) for s in pf.sites] == [(2, "a"), (2, "b"), (6, "y")]
    out = instrument(src, pf.sites, [1, 2, 3])
    assert out.split("\n")[1] == "\ta = x; portcheck_trace_record(1, a);\tb = a * 2; portcheck_trace_record(2, b); % c\r"
    assert out.count("\r\n") == src.count("\r\n")


def test_octave_statement_increments_and_line_breaks_inside_parentheses():
    src = textwrap.dedent("""\
        function y = f(x)
          y = max(x, ...
                  0);
          z = min(x,   # Octave: no ... needed inside ()
                  y);
          y++;
          g(end, 2)--;
          w = [1, 2
               3, 4];
        end
        """)
    norm = normalise(src)
    assert norm.count("\n") == src.count("\n")
    got = [(s.line, s.name) for s in parse_m(src, "f.m").sites]
    assert got == [(2, "y"), (4, "z"), (6, "y"), (7, "g"), (8, "w")]
    # Sites sit after each statement's own terminator, in the original's columns.
    out = instrument(src, parse_m(src, "f.m").sites, [1, 2, 3, 4, 5]).split("\n")
    assert out[4] == "          y); portcheck_trace_record(2, z);"
    assert out[5] == "  y++; portcheck_trace_record(3, y);"
    assert out[8] == "       3, 4]; portcheck_trace_record(5, w);"


def test_string_continued_with_a_backslash_falls_back():
    # Octave continues a double-quoted string with a backslash at the line's
    # end; the parser would see the lines merged, so the file is not instrumented.
    with pytest.raises(MatlabParseError) as err:
        parse_m('function m = f()\n  m = "a \\\n b";\n  k = 1;\nend\n', "f.m")
    assert err.value.line == 2


def test_terms_of_a_sum_are_offered_outside_loops_and_never_for_a_self_update():
    src = textwrap.dedent("""\
        function J = f(a, b, m)
          o = 0;
          o = o + m * 2;
          J = -sum(a .* log(b)) / m ...
              + 2 / (2 * m) * (sum(a(:) .^ 2) - sum(b(:)));
          for k = 1:3
            J = J + a(k) - b(k);
          end
        end
        """)
    parsed = parse_m(src, "f.m")
    got = [(t.line, t.name, t.expression) for t in parsed.terms]
    assert got == [(4, "J", "-sum(a .* log(b)) / m"), (4, "J", "2 / (2 * m) * (sum(a(:) .^ 2) - sum(b(:)))")]
    # The statement's own sites are unchanged; the terms are recorded after it, guarded.
    assert [(s.line, s.name) for s in parsed.sites] == [(2, "o"), (3, "o"), (4, "J"), (7, "J")]
    out = instrument(src, parsed.sites + parsed.terms, range(1, 7))
    assert out.count("\n") == src.count("\n")
    assert "if numel(J) == 1, try, portcheck_trace_record(6, (2 / (2 * m) * (sum(a(:) .^ 2) - sum(b(:))))); " \
           "catch, end; end;" in out
