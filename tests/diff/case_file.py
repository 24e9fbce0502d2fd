# case_file.py - reads the differential runner's case files.
#
# One command per line in redis-cli's quoting syntax: bare words, double
# quotes with \n \r \t \b \a \\ \" \xHH escapes, single quotes with \'.
# Lines starting with # are comments; blank lines are ignored.
#
# Directives:
#   !skip-resp3        (alone on a line) run the file in RESP2 only
#   !sort CMD...       compare an aggregate reply with its elements sorted
#   !ignore CMD...     run on both servers but do not compare the replies
#   !inline CMD...     send the line as an inline command instead of RESP
#   !replies=N CMD...  the command answers N replies (SUBSCRIBE a b c: 3),
#                      compared as one
# Prefixes may be combined, e.g. "!ignore !inline PING".

from dataclasses import dataclass, field

PREFIXES = ("!sort", "!ignore", "!inline")


class CaseSyntaxError(Exception):
    pass


@dataclass
class Case:
    path: str
    line_number: int
    text: str                  # the command as written, for reports
    arguments: list            # list of bytes
    sort: bool = False
    ignore: bool = False
    inline: bool = False
    replies: int = 1


@dataclass
class CaseFile:
    path: str
    cases: list = field(default_factory=list)
    resp3: bool = True


def _is_hex(character):
    return character != "" and character in "0123456789abcdefABCDEF"


def split_arguments(line):
    """Splits like redis-cli (sdssplitargs); returns a list of bytes."""
    data = line.encode("utf-8")
    arguments = []
    position = 0
    length = len(data)
    while True:
        while position < length and data[position:position + 1].isspace():
            position += 1
        if position >= length:
            return arguments
        current = bytearray()
        in_double = in_single = False
        while True:
            if in_double:
                if position >= length:
                    raise CaseSyntaxError("unterminated double quote")
                char = data[position:position + 1]
                if (char == b"\\" and position + 3 < length and data[position + 1:position + 2] == b"x"
                        and _is_hex(chr(data[position + 2])) and _is_hex(chr(data[position + 3]))):
                    current.append(int(data[position + 2:position + 4], 16))
                    position += 3
                elif char == b"\\" and position + 1 < length:
                    position += 1
                    escaped = data[position:position + 1]
                    current += {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b",
                                b"a": b"\a"}.get(escaped, escaped)
                elif char == b'"':
                    if position + 1 < length and not data[position + 1:position + 2].isspace():
                        raise CaseSyntaxError("closing quote must be followed by a space")
                    position += 1
                    break
                else:
                    current += char
            elif in_single:
                if position >= length:
                    raise CaseSyntaxError("unterminated single quote")
                char = data[position:position + 1]
                if char == b"\\" and data[position + 1:position + 2] == b"'":
                    position += 1
                    current += b"'"
                elif char == b"'":
                    if position + 1 < length and not data[position + 1:position + 2].isspace():
                        raise CaseSyntaxError("closing quote must be followed by a space")
                    position += 1
                    break
                else:
                    current += char
            else:
                if position >= length:
                    break
                char = data[position:position + 1]
                if char.isspace():
                    break
                if char == b'"':
                    in_double = True
                elif char == b"'":
                    in_single = True
                else:
                    current += char
            position += 1
        arguments.append(bytes(current))


def parse_case_file(path):
    case_file = CaseFile(path)
    with open(path, encoding="utf-8") as stream:
        for line_number, raw_line in enumerate(stream, 1):
            line = raw_line.rstrip("\r\n").strip()
            if not line or line.startswith("#"):
                continue
            if line == "!skip-resp3":
                case_file.resp3 = False
                continue
            case = Case(path, line_number, line, [])
            while line.startswith("!"):
                word, _, rest = line.partition(" ")
                if word.startswith("!replies=") and word[9:].isdigit() and int(word[9:]) > 0:
                    case.replies = int(word[9:])
                    line = rest.strip()
                    continue
                if word not in PREFIXES:
                    raise CaseSyntaxError("%s:%d: unknown directive %s" % (path, line_number, word))
                setattr(case, word[1:], True)
                line = rest.strip()
            case.text = line
            try:
                case.arguments = split_arguments(line)
            except CaseSyntaxError as error:
                raise CaseSyntaxError("%s:%d: %s" % (path, line_number, error)) from error
            if not case.arguments:
                raise CaseSyntaxError("%s:%d: directive without a command" % (path, line_number))
            case_file.cases.append(case)
    return case_file
