# fake_resp_server.py - a loopback server that answers with canned RESP
# bytes, for reply shapes no real command produces on demand (deep nesting,
# every RESP3 type, attributes, push data before a reply, odd doubles).
#
# The client sends "CANNED <name>" and gets CANNED_REPLIES[name] verbatim.
# The handshake commands a client may send first (HELLO, AUTH, SELECT,
# PING, ECHO, COMMAND DOCS) get plausible answers so any client works.
# Runs in a thread of the test process: FakeServer().start() / .stop().

import socket
import threading


def bulk(text):
    data = text.encode() if isinstance(text, str) else text
    return b"$%d\r\n%s\r\n" % (len(data), data)


def array(*items, marker=b"*"):
    return marker + b"%d\r\n" % len(items) + b"".join(items)


def resp_map(*pairs):
    return b"%" + b"%d\r\n" % (len(pairs) // 2) + b"".join(pairs)


WIDE = array(*[b":%d\r\n" % n for n in range(1, 13)])
NESTED_DEEP = array(b":1\r\n", array(bulk("a"), array(bulk("b"), array(bulk("c"), b"_\r\n"))),
                    bulk("tail"))

CANNED_REPLIES = {
    # Shapes both clients must print identically.
    "status": b"+OK\r\n",
    "error": b"-ERR something bad\r\n",
    "blob_error": b"!21\r\nSYNTAX invalid syntax\r\n",
    "integer": b":-9223372036854775808\r\n",
    "string": bulk("hello world"),
    "escapes": bulk(b"q\"b\\n\nr\rt\ta\x07b\x08z\x00\x01\x7f\xc3\xa9 end"),
    "empty_string": bulk(""),
    "nil2": b"$-1\r\n",
    "null_array": b"*-1\r\n",
    "nil3": b"_\r\n",
    "true": b"#t\r\n",
    "false": b"#f\r\n",
    "double": b",3.141\r\n",
    "double_inf": b",inf\r\n",
    "double_negative_inf": b",-inf\r\n",
    "double_exponent": b",1.5e+300\r\n",
    "verbatim": b"=21\r\ntxt:line one\nline two\r\n",
    "verbatim_markdown": b"=12\r\nmkd:# Title\n\r\n",
    "empty_array": b"*0\r\n",
    "empty_map": b"%0\r\n",
    "empty_set": b"~0\r\n",
    "array": array(b":1\r\n", bulk("two"), b"+three\r\n", b"$-1\r\n", b",4.5\r\n", b"#f\r\n"),
    "wide_array": WIDE,
    "wide_nested": array(*([b":0\r\n"] * 9 + [array(bulk("x"), WIDE)])),
    "hundred": array(*[bulk("e%d" % n) for n in range(120)]),
    "nested": NESTED_DEEP,
    "nested_empties": array(b"*0\r\n", b"%0\r\n", b"~0\r\n", array(b"*0\r\n")),
    "error_inside": array(b"+QUEUED\r\n", b"-ERR inside\r\n", b":3\r\n"),
    "map": resp_map(bulk("name"), bulk("dblite"), bulk("count"), b":3\r\n"),
    "map_nested": resp_map(bulk("list"), array(bulk("a"), bulk("b")),
                           bulk("inner"), resp_map(bulk("k"), bulk("v"), bulk("n"), b"_\r\n"),
                           bulk("set"), array(b":1\r\n", b":2\r\n", marker=b"~"),
                           bulk("empty"), b"%0\r\n"),
    "wide_map": resp_map(*[x for n in range(11) for x in (bulk("k%d" % n), b":%d\r\n" % n)]),
    "set": array(bulk("x"), bulk("y"), bulk("z"), marker=b"~"),
    "set_of_arrays": array(array(b":1\r\n", b":2\r\n"), array(b":3\r\n"), marker=b"~"),
    "array_of_maps": array(resp_map(bulk("a"), b":1\r\n"), resp_map(bulk("b"), b"#t\r\n")),
    "map_single_element_values": resp_map(bulk("one"), array(bulk("a")),
                                          bulk("verbatim"), b"=9\r\ntxt:x\ny z\r\n",
                                          bulk("deeper"), resp_map(bulk("m"), array(b":1\r\n", b":2\r\n"))),
    "map_value_lines": resp_map(bulk("nested"), array(array(b":1\r\n", b":2\r\n")),
                                bulk("one_entry"), resp_map(bulk("index"), b":1\r\n"),
                                bulk("multiline_text"), array(b"=9\r\ntxt:x\ny z\r\n"),
                                bulk("single_set"), array(b"#t\r\n", marker=b"~")),
    "map_in_array_in_map": array(resp_map(bulk("k"), array(resp_map(bulk("x"), array(b":1\r\n"))))),
    "map_with_aggregate_key": resp_map(array(b":1\r\n", b":2\r\n"), bulk("pair")),
    "push_then_reply": array(bulk("server-cpu-usage"), b":42\r\n", marker=b">") + bulk("real reply"),
    # Shapes redis-cli 7.0 cannot print (it exits); checked against text.
    "big_number": b"(3492890328409238509324850943850943825024385\r\n",
    "attribute": b"|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.1923\r\n" + array(b":1\r\n", b":2\r\n"),
    "streamed_string": b"$?\r\n;4\r\nHell\r\n;7\r\no world\r\n;0\r\n",
    "streamed_array": b"*?\r\n:1\r\n" + bulk("two") + b".\r\n",
}

HELLO3 = resp_map(bulk("server"), bulk("fake"), bulk("version"), bulk("7.0.15"),
                  bulk("proto"), b":3\r\n")
HELLO2 = array(bulk("server"), bulk("fake"), bulk("version"), bulk("7.0.15"),
               bulk("proto"), b":2\r\n")


def read_command(stream):
    """One RESP array of bulk strings from a file-like stream, or None."""
    header = stream.readline()
    if not header:
        return None
    if not header.startswith(b"*"):
        return header.strip().split()
    words = []
    for _ in range(int(header[1:])):
        length = int(stream.readline()[1:])
        words.append(stream.read(length + 2)[:-2])
    return words


def answer(words):
    name = words[0].upper() if words else b""
    if name == b"CANNED" and len(words) == 2:
        return CANNED_REPLIES.get(words[1].decode(), b"-ERR no such canned reply\r\n")
    if name == b"HELLO":
        return HELLO3 if len(words) > 1 and words[1] == b"3" else HELLO2
    if name in (b"AUTH", b"SELECT"):
        return b"+OK\r\n"
    if name == b"PING":
        return b"+PONG\r\n"
    if name == b"ECHO" and len(words) == 2:
        return bulk(words[1])
    if name == b"COMMAND":
        return b"*0\r\n"
    return b"-ERR unknown command\r\n"


class FakeServer:
    def __init__(self):
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self.running = False
        self.thread = None

    def start(self):
        self.running = True
        self.thread = threading.Thread(target=self._accept_loop, daemon=True)
        self.thread.start()
        return self

    def _accept_loop(self):
        while self.running:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    @staticmethod
    def _serve(client):
        with client, client.makefile("rb") as stream:
            try:
                while True:
                    words = read_command(stream)
                    if words is None:
                        return
                    client.sendall(answer(words))
            except (OSError, ValueError):
                return

    def stop(self):
        self.running = False
        self.listener.close()
