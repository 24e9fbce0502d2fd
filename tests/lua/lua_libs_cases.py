# lua_libs_cases.py - the snippets test_lua_libs_diff.py runs through
# redis-server's EVAL and through lua_libs_runner.  all_cases() returns
# (name, Lua body) pairs; PRELUDE (local helpers, no globals: Redis refuses
# new globals) goes before every body.
#
# show(v) is a deterministic text for any value (numbers with 17 digits,
# strings %q-quoted, tables with sorted keys), so that floats, nested
# tables and several results compare exactly; all(...) shows every result
# of a call with their count, try(f, ...) the results of pcall(f, ...).
# order(t) lists a table's keys in pairs() order (decoded tables must be
# laid out as Redis's are).

PRELUDE = r"""
local function hex(s)
  return (string.gsub(s, ".", function(c) return string.format("%02x", string.byte(c)) end))
end
local function show(v, depth)
  depth = depth or 0
  local t = type(v)
  if t == "string" then
    if #v > 200 then return "s#" .. #v .. ":" .. hex(string.sub(v, 1, 16)) .. ".." .. hex(string.sub(v, -8)) end
    return string.format("%q", v)
  elseif t == "number" then
    return string.format("%.17g", v)
  elseif t == "table" then
    if depth > 40 then return "{...}" end
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    if #keys > 300 then return "{#" .. #keys .. "}" end
    local shown = {}
    for i, k in ipairs(keys) do shown[k] = show(k, depth + 1) end
    table.sort(keys, function(a, b) return shown[a] < shown[b] end)
    local parts = {}
    for _, k in ipairs(keys) do parts[#parts + 1] = shown[k] .. "=" .. show(v[k], depth + 1) end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "userdata" then
    if v == cjson.null then return "cjson.null" end
    return "userdata"
  else
    return t .. ":" .. tostring(v)
  end
end
local function all(...)
  local n = select("#", ...)
  local parts = {}
  for i = 1, n do parts[i] = show((select(i, ...))) end
  return n .. "|" .. table.concat(parts, "|")
end
local function try(f, ...)
  return all(pcall(f, ...))
end
local function order(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = show(k) end
  return table.concat(keys, " ")
end
local function nested(depth, leaf)
  local t = leaf
  for i = 1, depth do t = {t} end
  return t
end
"""

NUMBERS = [
    "0", "-0.0", "1", "-1", "7", "127", "128", "255", "256", "-31", "-32", "-33", "-127",
    "-128", "-129", "32767", "32768", "-32768", "-32769", "65535", "65536", "2^31 - 1",
    "2^31", "-2^31", "-2^31 - 1", "2^32 - 1", "2^32", "2^32 + 1", "-2^32", "2^53", "2^53 + 1",
    "-2^53", "2^62", "2^63", "-2^63", "2^63 - 1024", "2^64", "-2^64", "2^70", "1e20", "-1e20",
    "1e300", "-1e300", "1e-300", "5e-324", "1.7976931348623157e308", "0.1", "-0.1", "0.5",
    "1.5", "-1.5", "1/3", "2/3", "3.14159265358979", "123456789012345678", "1e15", "1e16",
    "1e14 + 0.5", "100", "1e2", "3.4028234663852886e38", "3.4028235677973366e38", "1e39",
    "1.401298464324817e-45", "2^-149", "2^-150", "16777217", "16777216", "0.25", "1e-7",
    "1/0", "-1/0", "0/0",
]

STRINGS = [
    '""', '"a"', '"hello world"', '"\\0"', '"a\\0b"', '"\\1\\2\\31\\127"', '"\\128\\255"',
    '"quote\\" backslash\\\\ slash/"', '"\\n\\r\\t\\b\\f"', '"é"', '"\\226\\130\\172"',
    '"\\240\\159\\152\\128"', 'string.rep("x", 31)', 'string.rep("x", 32)',
    'string.rep("x", 255)', 'string.rep("x", 256)', 'string.rep("x", 65535)',
    'string.rep("x", 65536)', 'string.rep("ab", 40000)', '"123"', '"1e5"', '"-0"',
]


def cjson_cases():
    cases = []
    for i, n in enumerate(NUMBERS):
        cases.append(("cjson.encode number %d (%s)" % (i, n), "return try(cjson.encode, %s)" % n))
        cases.append(("cjson.encode number in array %d (%s)" % (i, n),
                      "return try(cjson.encode, {%s, {%s}})" % (n, n)))
    for i, s in enumerate(STRINGS):
        cases.append(("cjson.encode string %d" % i, "return all(cjson.encode(%s))" % s))
        cases.append(("cjson round trip string %d" % i,
                      "local s = %s return all(cjson.decode(cjson.encode(s)) == s, #cjson.encode(s))" % s))
    encode_values = [
        "{}", "{{}}", "{{}, {}}", "{a = {}}", "{1, 2, 3}", "{1, nil, 3}", "{[1] = 1, [3] = 3}",
        "{[1] = 1, [4] = 4}", "{[2] = 2}", "{[1] = 1, [11] = 11}", "{[1] = 1, [12] = 12}",
        "{[20] = 1}", "{[0] = 1}", "{[-1] = 1}", "{[1.5] = 1}", "{1, 2, a = 3}",
        "{a = 1}", "{a = {b = {c = {1, 2, {d = true}}}}}", "{true, false}", "{cjson.null}",
        "cjson.null", "true", "false", "nil", "{[true] = 1}", "{function() end}", "{f = function() end}",
        "{[{}] = 1}", "{1, 'two', 3.5, {4}}", "{['1'] = 1}", "{['1'] = 1, [2] = 2}",
        "{[1] = 'a', ['x'] = 'b'}", "setmetatable({}, {__index = {1}})",
        "nested(999, 1)", "nested(1000, 1)", "nested(1001, 1)", "nested(1500, {})",
        "{[2^31] = 1}", "{[2^53] = 1}", "{[0.1] = 'x'}", "{[1/0] = 1}", "{[-1/0] = 1}",
        "function() end", "coroutine.create(function() end)",
    ]
    for i, v in enumerate(encode_values):
        cases.append(("cjson.encode value %d (%s)" % (i, v[:40]), "return try(cjson.encode, %s)" % v))
    cases.append(("cjson.encode no argument", "return try(cjson.encode)"))
    cases.append(("cjson.encode two arguments", "return try(cjson.encode, 1, 2)"))
    cases.append(("cjson.encode self reference",
                  "local t = {} t[1] = t return try(cjson.encode, t)"))
    cases.append(("cjson.encode map self reference",
                  "local t = {} t.a = t return try(cjson.encode, t)"))
    cases.append(("cjson.encode big array",
                  "local t = {} for i = 1, 70000 do t[i] = i end local s = cjson.encode(t) return {#s, string.sub(s, 1, 20), string.sub(s, -20)}"))
    cases.append(("cjson.encode big map",
                  "local t = {} for i = 1, 70000 do t['k' .. i] = i end local s = cjson.encode(t) return {#s, string.sub(s, 1, 40)}"))
    cases.append(("cjson.encode uncaught error", "return cjson.encode(function() end)"))

    decode_inputs = [
        "null", "true", "false", "0", "-0", "1", "-1", "1.5", "1e3", "1E3", "1e+3", "1e-3",
        "0.1", "1e300", "1e400", "-1e400", "123456789012345678901234567890", "9007199254740993",
        "0x10", "0X1f", "-0x10", "010", "1.", ".5", "+1", "Infinity", "-Infinity", "NaN",
        "inf", "nan", "[NaN]", "[Infinity]", "1e", "-", "--1", '"a"', '""', '"\\u0041"',
        '"\\u00e9"', '"\\u20ac"', '"\\ud83d\\ude00"', '"\\ud800"', '"\\udc00"', '"\\ud83d"',
        '"\\ud83dx"', '"\\u00"', '"\\u00g0"', '"\\x41"', '"\\/\\b\\f\\n\\r\\t\\"\\\\"',
        '"\\a"', '"tab\there"', '"new\nline"', '"\\u0000"', '"unterminated', "[]", "{}",
        "[1, 2, 3]", "[1,2,]", "[,1]", "[1 2]", " [ 1 , 2 ] ", "\\t\\n[1]\\r\\n",
        '{"a": 1}', '{"a": 1,}', '{"a" 1}', '{"a": }', '{1: 2}', '{"a": [1, {"b": null}]}',
        '{"a": 1, "a": 2}', "[null, null]", "[1, null, 3]", "{}x", "[1]]", "1 2", "",
        " ", "nul", "tru", "falsey", "[", "{", "{\"a\"", '"\\ud834\\udd1e"',
        '{"1": "one", "2": "two"}', '[[[[[[]]]]]]', '["\\u0000\\u001f"]',
        '"\\u0080\\u07ff\\u0800\\uffff"', '"\\uD83D\\uDE00"', "[1e-400]", "[-0.0]",
        "[2.2250738585072014e-308]", "[4.9e-324]",
    ]
    for i, text in enumerate(decode_inputs):
        lua_text = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
        cases.append(("cjson.decode %d (%s)" % (i, text[:30]),
                      'return try(cjson.decode, "%s")' % lua_text))
    cases.append(("cjson.decode depth 1000",
                  'return try(cjson.decode, string.rep("[", 1000) .. string.rep("]", 1000))'))
    cases.append(("cjson.decode depth 1001",
                  'return try(cjson.decode, string.rep("[", 1001) .. string.rep("]", 1001))'))
    cases.append(("cjson.decode object depth 1001",
                  'return try(cjson.decode, string.rep("{\\"a\\":", 1001) .. "1" .. string.rep("}", 1001))'))
    cases.append(("cjson.decode non-string", "return try(cjson.decode, 12)"))
    cases.append(("cjson.decode table", "return try(cjson.decode, {})"))
    cases.append(("cjson.decode no argument", "return try(cjson.decode)"))
    cases.append(("cjson.decode null is cjson.null",
                  'return all(cjson.decode("null") == cjson.null, cjson.decode("[null]")[1] == cjson.null)'))
    cases.append(("cjson.decode returned as reply", 'return cjson.decode("[1, 2.7, \\"x\\", [true, false], null, 5]")'))
    cases.append(("cjson.decode uncaught error", 'return cjson.decode("[1,")'))
    cases.append(("cjson.decode big array",
                  'local t = cjson.decode("[" .. string.rep("1,", 70000) .. "1]") return {#t, t[70001]}'))
    cases.append(("cjson.decode big string",
                  'local s = cjson.decode("\\"" .. string.rep("y", 70000) .. "\\"") return {#s}'))
    cases.append(("cjson.decode object order",
                  'return order(cjson.decode("{\\"b\\":1,\\"a\\":2,\\"c\\":3,\\"1\\":4,\\"zz\\":5}"))'))
    cases.append(("cjson round trip nested",
                  "local v = {a = {1, 2, {b = 'c'}}, d = 1.25, e = {}, f = false} return show(cjson.decode(cjson.encode(v)))"))
    cases.append(("cjson map key order",
                  "local t = {} for i = 1, 20 do t['key' .. i] = i end return cjson.encode(t)"))
    cases.append(("cjson number keys as strings", "return cjson.encode({[1] = 1, [2] = 2, x = 3, [2.5] = 4})"))

    settings = [
        ("precision 3", "cjson.encode_number_precision(3)", "cjson.encode({1/3, 12345.678, 0.1})",
         "cjson.encode_number_precision(14)"),
        ("precision 1", "cjson.encode_number_precision(1)", "cjson.encode({1/3, 15})",
         "cjson.encode_number_precision(14)"),
        ("precision 20", "cjson.encode_number_precision(20)", "cjson.encode({0.1})",
         "cjson.encode_number_precision(14)"),
        ("sparse true", "cjson.encode_sparse_array(true)", "cjson.encode({[1] = 1, [20] = 2})",
         "cjson.encode_sparse_array(false, 2, 10)"),
        ("sparse ratio 0", "cjson.encode_sparse_array(false, 0)", "cjson.encode({[1] = 1, [20] = 2})",
         "cjson.encode_sparse_array(false, 2, 10)"),
        ("sparse safe 30", "cjson.encode_sparse_array(false, 2, 30)", "cjson.encode({[1] = 1, [20] = 2})",
         "cjson.encode_sparse_array(false, 2, 10)"),
        ("max depth 2", "cjson.encode_max_depth(2)", "cjson.encode({{1}})",
         "cjson.encode_max_depth(1000)"),
        ("max depth 2 deeper", "cjson.encode_max_depth(2)", "cjson.encode({{{1}}})",
         "cjson.encode_max_depth(1000)"),
        ("decode max depth 2", "cjson.decode_max_depth(2)", "cjson.decode('[[[1]]]')",
         "cjson.decode_max_depth(1000)"),
        ("invalid numbers on", "cjson.encode_invalid_numbers(true)", "cjson.encode({1/0, -1/0, 0/0})",
         "cjson.encode_invalid_numbers(false)"),
        ("invalid numbers null", "cjson.encode_invalid_numbers('null')", "cjson.encode({1/0, 0/0})",
         "cjson.encode_invalid_numbers(false)"),
        ("decode invalid numbers off", "cjson.decode_invalid_numbers(false)", "cjson.decode('[0x10]')",
         "cjson.decode_invalid_numbers(true)"),
        ("decode invalid numbers off nan", "cjson.decode_invalid_numbers(false)", "cjson.decode('NaN')",
         "cjson.decode_invalid_numbers(true)"),
        ("keep buffer off", "cjson.encode_keep_buffer(false)", "cjson.encode({1, 2})",
         "cjson.encode_keep_buffer(true)"),
    ]
    for name, setup, action, reset in settings:
        cases.append(("cjson setting %s" % name,
                      "local r1 = all(%s) local r2 = try(function() return %s end) local r3 = all(%s) return {r1, r2, r3}"
                      % (setup, action, reset)))
    getters = ["cjson.encode_number_precision()", "cjson.encode_sparse_array()",
               "cjson.encode_max_depth()", "cjson.decode_max_depth()",
               "cjson.encode_invalid_numbers()", "cjson.decode_invalid_numbers()",
               "cjson.encode_keep_buffer()", "cjson._NAME", "cjson._VERSION"]
    for i, g in enumerate(getters):
        cases.append(("cjson getter %d (%s)" % (i, g), "return all(%s)" % g))
    bad_settings = ["cjson.encode_number_precision(0)", "cjson.encode_number_precision(15)",
                    "cjson.encode_number_precision(21)", "cjson.encode_number_precision('x')",
                    "cjson.encode_max_depth(0)", "cjson.decode_max_depth(-1)",
                    "cjson.encode_sparse_array(1)", "cjson.encode_sparse_array(false, -1)",
                    "cjson.encode_invalid_numbers('maybe')", "cjson.encode_keep_buffer('x')"]
    for i, b in enumerate(bad_settings):
        cases.append(("cjson bad setting %d (%s)" % (i, b),
                      "local r = try(function() return %s end) cjson.encode_number_precision(14) "
                      "cjson.encode_max_depth(1000) cjson.decode_max_depth(1000) "
                      "cjson.encode_sparse_array(false, 2, 10) cjson.encode_invalid_numbers(false) "
                      "cjson.encode_keep_buffer(true) return r" % b))
    cases.append(("cjson.new instance", "local j = cjson.new() return all(j.encode({1, 'a'}), j.decode('[2]')[1], j ~= cjson)"))
    cases.append(("cjson keys", "local t = {} for k in pairs(cjson) do t[#t + 1] = k end table.sort(t) return t"))
    return cases


def cmsgpack_cases():
    cases = []
    for i, n in enumerate(NUMBERS):
        cases.append(("cmsgpack.pack number %d (%s)" % (i, n), "return hex(cmsgpack.pack(%s))" % n))
        cases.append(("cmsgpack round trip number %d (%s)" % (i, n),
                      "return all(cmsgpack.unpack(cmsgpack.pack(%s)))" % n))
    for i, s in enumerate(STRINGS):
        cases.append(("cmsgpack.pack string %d" % i,
                      "local p = cmsgpack.pack(%s) return {#p, hex(string.sub(p, 1, 8))}" % s))
        cases.append(("cmsgpack round trip string %d" % i,
                      "local s = %s return all(cmsgpack.unpack(cmsgpack.pack(s)) == s)" % s))
    values = [
        "{}", "{{}}", "{1, 2, 3}", "{1, nil, 3}", "{nil, 2}", "{[1] = 1, [3] = 3}", "{[2] = 2}",
        "{[0] = 0}", "{[-1] = 1}", "{[1.5] = 1}", "{a = 1}", "{a = 1, b = 2}", "{1, 2, a = 3}",
        "{true, false}", "{cjson.null}", "cjson.null", "true", "false", "nil",
        "{[true] = 'x'}", "{[{}] = 1}", "{function() end}", "function() end",
        "coroutine.create(function() end)", "{[2^31] = 1}", "{[2^31 - 1] = 1}", "{[2^40] = 1}",
        "{'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o'}",
        "{'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', 'p'}",
        "nested(15, 1)", "nested(16, 1)", "nested(17, 1)", "nested(30, {})",
        "{a = nested(15, 1)}", "{[nested(15, 1)] = 1}", "{[nested(16, 1)] = 1}",
        "{1.5, -1.5, 0.1, 2^63}", "{x = {y = {z = {}}}}",
        "setmetatable({}, {__index = {1, 2}})", "setmetatable({1}, {__len = function() return 5 end})",
    ]
    for i, v in enumerate(values):
        cases.append(("cmsgpack.pack value %d (%s)" % (i, v[:40]), "return hex(cmsgpack.pack(%s))" % v))
        cases.append(("cmsgpack round trip value %d (%s)" % (i, v[:40]),
                      "return all(cmsgpack.unpack(cmsgpack.pack(%s)))" % v))
    cases.append(("cmsgpack.pack several", "return hex(cmsgpack.pack(1, 'a', {2}, nil, true, 1.5))"))
    cases.append(("cmsgpack.pack no argument", "return try(cmsgpack.pack)"))
    cases.append(("cmsgpack.pack nil argument", "return hex(cmsgpack.pack(nil))"))
    cases.append(("cmsgpack.pack self reference",
                  "local t = {} t[1] = t return hex(cmsgpack.pack(t))"))
    cases.append(("cmsgpack.pack map self reference",
                  "local t = {} t.a = t return hex(cmsgpack.pack(t))"))
    cases.append(("cmsgpack.pack many arguments",
                  "local t = {} for i = 1, 3000 do t[i] = i end local p = cmsgpack.pack(unpack(t)) return {#p, hex(string.sub(p, -8))}"))
    cases.append(("cmsgpack.pack too many arguments",
                  "local t = {} for i = 1, 7000 do t[i] = i end return try(cmsgpack.pack, unpack(t))"))
    cases.append(("cmsgpack.pack many nested arguments",
                  "local t = {} for i = 1, 3990 do t[i] = nested(20, 1) end local r = {pcall(cmsgpack.pack, unpack(t))} "
                  "return {tostring(r[1]), #r[2], hex(string.sub(r[2], 1, 20))}"))
    cases.append(("cmsgpack.pack map order",
                  "local t = {} for i = 1, 20 do t['key' .. i] = i end return hex(cmsgpack.pack(t))"))
    cases.append(("cmsgpack.pack map mixed keys",
                  "return hex(cmsgpack.pack({[1] = 'a', [3] = 'c', x = 'y', [2.5] = true}))"))
    for count in (15, 16, 65535, 65536, 70000):
        cases.append(("cmsgpack.pack array of %d" % count,
                      "local t = {} for i = 1, %d do t[i] = i %% 300 end local p = cmsgpack.pack(t) "
                      "local u = cmsgpack.unpack(p) return {#p, hex(string.sub(p, 1, 8)), #u, u[%d]}" % (count, count)))
        cases.append(("cmsgpack.pack map of %d" % count,
                      "local t = {} for i = 1, %d do t['k' .. i] = i end local p = cmsgpack.pack(t) "
                      "local u = cmsgpack.unpack(p) local n = 0 for _ in pairs(u) do n = n + 1 end "
                      "return {#p, hex(string.sub(p, 1, 5)), n, u['k%d']}" % (count, count)))
    cases.append(("cmsgpack.pack big string 70000",
                  "local p = cmsgpack.pack(string.rep('z', 70000)) return {#p, hex(string.sub(p, 1, 6))}"))

    # Every type byte alone and with trailing bytes.
    for start in range(0, 256, 16):
        cases.append(("cmsgpack.unpack type bytes %02x-%02x" % (start, start + 15),
                      "local r = {} for b = %d, %d do r[#r + 1] = b .. ':' .. try(cmsgpack.unpack, string.char(b)) end return r"
                      % (start, start + 15)))
        cases.append(("cmsgpack.unpack type bytes %02x-%02x with data" % (start, start + 15),
                      "local r = {} for b = %d, %d do r[#r + 1] = b .. ':' .. try(cmsgpack.unpack, string.char(b) .. '\\1\\2\\3\\4\\5\\6\\7\\8\\9\\10\\11\\12\\13\\14\\15\\16\\17') end return r"
                      % (start, start + 15)))
    unpack_inputs = [
        "''", "'\\1\\2\\3'", "'\\192'", "'\\194\\195'", "'\\204\\255'", "'\\205\\1\\0'",
        "'\\206\\0\\1\\0\\0'", "'\\207\\0\\0\\0\\1\\0\\0\\0\\0'", "'\\207\\255\\255\\255\\255\\255\\255\\255\\255'",
        "'\\208\\128'", "'\\209\\128\\0'", "'\\210\\128\\0\\0\\0'", "'\\211\\128\\0\\0\\0\\0\\0\\0\\0'",
        "'\\211\\255\\255\\255\\255\\255\\255\\255\\255'", "'\\202\\63\\192\\0\\0'",
        "'\\202\\127\\192\\0\\0'", "'\\202\\255\\128\\0\\0'", "'\\203\\63\\185\\153\\153\\153\\153\\153\\154'",
        "'\\203\\127\\248\\0\\0\\0\\0\\0\\0'", "'\\217\\3abc'", "'\\218\\0\\3abc'",
        "'\\219\\0\\0\\0\\3abc'", "'\\217\\4abc'", "'\\219\\255\\255\\255\\255'", "'\\163ab'",
        "'\\147\\1\\2\\3'", "'\\147\\1\\2'", "'\\220\\0\\2\\1\\2'", "'\\221\\0\\0\\0\\2\\1\\2'",
        "'\\221\\255\\255\\255\\255'", "'\\130\\161a\\1\\161b\\2'", "'\\130\\1\\2\\1\\3'",
        "'\\129\\192\\1'", "'\\129\\203\\127\\248\\0\\0\\0\\0\\0\\0\\1'", "'\\222\\0\\1\\1\\2'",
        "'\\223\\0\\0\\0\\1\\1\\2'", "'\\129\\145\\1\\2'", "'\\147\\192\\1\\192'",
        "'\\147\\192\\192\\3'", "'\\148\\1\\192\\3\\192'", "'\\196\\1a'", "'\\199\\1\\1a'",
        "'\\212\\1a'", "'\\193'", "'\\1\\193'", "'\\145'", "'\\129\\1'", "12", "{}",
    ]
    for i, text in enumerate(unpack_inputs):
        cases.append(("cmsgpack.unpack input %d" % i, "return try(cmsgpack.unpack, %s)" % text))
    cases.append(("cmsgpack.unpack no argument", "return try(cmsgpack.unpack)"))
    cases.append(("cmsgpack.unpack extra arguments", "return try(cmsgpack.unpack, '\\1\\2', 1, 2)"))
    cases.append(("cmsgpack.unpack uncaught error", "return cmsgpack.unpack('\\205')"))
    cases.append(("cmsgpack.unpack uncaught nil key", "return cmsgpack.unpack('\\129\\192\\1')"))
    cases.append(("cmsgpack.unpack array layout",
                  "local t = cmsgpack.unpack('\\147\\192\\1\\192') return all(#t, order(t))"))
    cases.append(("cmsgpack.unpack array layout 2",
                  "local t = cmsgpack.unpack('\\149\\1\\192\\3\\192\\5') return all(#t, order(t))"))
    cases.append(("cmsgpack.unpack map order",
                  "local t = {} for i = 1, 30 do t['key' .. i] = i end return order(cmsgpack.unpack(cmsgpack.pack(t)))"))
    cases.append(("cmsgpack.unpack map order numbers",
                  "return order(cmsgpack.unpack('\\133\\5\\1\\3\\1\\1\\1\\4\\1\\2\\1'))"))
    cases.append(("cmsgpack.unpack returned as reply", "return cmsgpack.unpack(cmsgpack.pack({1, 'a', {2.9, false, 3}, true}))"))
    for n in (7997, 7998, 7999, 8000, 10000):
        cases.append(("cmsgpack.unpack %d values" % n,
                      "local t = {pcall(cmsgpack.unpack, string.rep('\\1', %d))} return {#t, t[1], tostring(t[2])}" % n))
        cases.append(("cmsgpack.unpack %d values extra args" % n,
                      "local t = {pcall(cmsgpack.unpack, string.rep('\\1', %d), 1, 2)} return {#t, t[1], tostring(t[2])}" % n))
        cases.append(("cmsgpack.unpack_limit %d values" % n,
                      "local t = {pcall(cmsgpack.unpack_limit, string.rep('\\1', %d), %d)} return {#t, t[1], tostring(t[2])}" % (n + 1, n)))
        cases.append(("cmsgpack.unpack_limit %d values to the end" % n,
                      "local t = {pcall(cmsgpack.unpack_limit, string.rep('\\1', %d), %d, 0)} return {#t, t[1], tostring(t[2])}" % (n, n)))
    for depth in (3997, 3998, 3999, 4000, 4001, 10000):
        cases.append(("cmsgpack.unpack arrays nested %d" % depth,
                      "local t = {pcall(cmsgpack.unpack, string.rep('\\145', %d) .. '\\1')} return {t[1], type(t[2]) == 'table' or t[2]}" % depth))
        cases.append(("cmsgpack.unpack maps nested %d" % depth,
                      "local t = {pcall(cmsgpack.unpack, string.rep('\\129\\1', %d) .. '\\1')} return {t[1], type(t[2]) == 'table' or t[2]}" % depth))
        cases.append(("cmsgpack.unpack map keys nested %d" % depth,
                      "local t = {pcall(cmsgpack.unpack, string.rep('\\129', %d) .. '\\1' .. string.rep('\\1', %d))} return {t[1], type(t[2]) == 'table' or t[2]}" % (depth, depth)))
        cases.append(("cmsgpack.unpack_one arrays nested %d" % depth,
                      "local t = {pcall(cmsgpack.unpack_one, string.rep('\\145', %d) .. '\\1')} return {t[1], tostring(t[2])}" % depth))
    stream = "'\\1\\2\\3'"
    for args in ["", ", 0", ", 1", ", 2", ", 3", ", 4", ", -1", ", 1.7", ", 'x'", ", '1'", ", nil",
                 ", 1, 2", ", 2^32", ", 2^32 + 1"]:
        cases.append(("cmsgpack.unpack_one%s" % args, "return try(cmsgpack.unpack_one, %s%s)" % (stream, args)))
    for args in ["", ", 0", ", 1", ", 2", ", 3", ", 5", ", -1", ", 0, 0", ", 0, 1", ", 0, 2",
                 ", 0, 3", ", 1, 0", ", 1, 2", ", 1, 3", ", 2, 1", ", 3, 0", ", 2, 4", ", -1, 0",
                 ", 1, -1", ", 'x'", ", 1, 'y'", ", 1.9, 0.9", ", 1, 2, 3", ", 2^32", ", 2^32, 1"]:
        cases.append(("cmsgpack.unpack_limit%s" % args, "return try(cmsgpack.unpack_limit, %s%s)" % (stream, args)))
    cases.append(("cmsgpack.unpack_one empty", "return try(cmsgpack.unpack_one, '')"))
    cases.append(("cmsgpack.unpack_one no argument", "return try(cmsgpack.unpack_one)"))
    cases.append(("cmsgpack.unpack_limit no argument", "return try(cmsgpack.unpack_limit)"))
    cases.append(("cmsgpack.unpack_limit empty", "return try(cmsgpack.unpack_limit, '', 2)"))
    cases.append(("cmsgpack.unpack_limit bad offset message",
                  "return try(cmsgpack.unpack_limit, '\\1\\2\\3\\4', -5, 1)"))
    cases.append(("cmsgpack.unpack_one truncated", "return try(cmsgpack.unpack_one, '\\1\\205\\1', 1)"))
    cases.append(("cmsgpack.unpack_one walk",
                  "local s = cmsgpack.pack(1, 'two', {3}, nil, 5) local r = {} local off = 0 "
                  "while off ~= -1 do local v off, v = cmsgpack.unpack_one(s, off) r[#r + 1] = show(v) .. '@' .. off end return r"))
    cases.append(("cmsgpack keys", "local t = {} for k, v in pairs(cmsgpack) do t[#t + 1] = k .. '=' .. type(v) end table.sort(t) return t"))
    cases.append(("cmsgpack strings", "return {cmsgpack._NAME, cmsgpack._VERSION, cmsgpack._COPYRIGHT, cmsgpack._DESCRIPTION}"))
    return cases


def struct_cases():
    cases = []
    packs = [
        '"<i", 1', '">i", 1', '"=i", 1', '"!i", 1', '"i", -1', '"I", -1', '"i", 2^31',
        '"i", 2^32', '"i", 2^32 + 5', '"bBhHlLT", -1, 255, -2, 65535, -3, 4, 5',
        '">bBhHlLT", -1, 255, -2, 65535, -3, 4, 5', '"i1i2i3i4i5i6i7i8", 1, 2, 3, 4, 5, 6, 7, 8',
        '">i1i2i3i4i5i6i7i8", -1, -2, -3, -4, -5, -6, -7, -8', '"i3", -2', '">I3", 2^24 + 5',
        '"i8", -1', '"I8", 2^63', '"I8", 2^64', '"i8", -2^63', '"i8", 2^53 + 1', '"I16", -1',
        '">I16", -1', '"i32", 1', '"i33", 1', '"i0", 1', '"I17", 2^70', '"I8", 1e20',
        '"i8", 1e20', '"i8", -1e20', '"b", 1e300', '"b", 0/0', '"I8", 0/0', '"i8", -(0/0)', '"b", 1/0', '"b", -1/0',
        '"I4", -1', '"b", 1.9', '"b", -1.9', '"B", 256', '"b", 128', '"h", 40000',
        '"f", 0.1', '">f", 0.1', '"f", 1e300', '"f", 0/0', '"d", 0.1', '">d", 0.1', '"d", -0.0',
        '"d", 1/0', '"s", "ab"', '"s", "a\\0b"', '"s", ""', '"c3", "abcde"', '"c3", "ab"',
        '"c0", "abc"', '"c", "abc"', '"c0", ""', '"x"', '"xxx"', '"x3"', '"!4 b i", 1, 2',
        '"!b d", 1, 2', '"!2 b d", 1, 2', '"!3 b d", 1, 2', '"!0 b i", 1, 2', '"!1 b i", 1, 2',
        '"!16 b d", 1, 2', '"! b h b i b l b f", 1, 2, 3, 4, 5, 6, 7, 8', '"!4 b i3 b i5", 1, 2, 3, 4',
        '"!8 b i16", 1, 2', '"!4 b c3 i", 1, "xyz", 2', '"!4 b s i", 1, "xy", 2',
        '"!4 b x i", 1, 2', '"z", 1', '"i", "x"', '"i", "12"', '"s", 12', '"i"', '"ii", 1',
        '"iii", 1', '"!4 b i"', '"", 1', '"<"', '">"', '"<>< >"', '"i2147483647", 1',
        '"i2147483648", 1', '"!99999999999", 1', '"i99999999999", 1', '"c99999999999", "a"',
        '"c2147483647", "a"', '"s"', '"i", {}', '"i", nil', '"1"', '"Q", 1', '"\\200", 1',
        '"c9000i", string.rep("a", 9000)', '"c9000ii", string.rep("a", 9000), 1',
        '"c9000s", string.rep("a", 9000)', '12, 1', 'nil', '{}',
    ]
    for i, args in enumerate(packs):
        cases.append(("struct.pack %d (%s)" % (i, args[:40]),
                      "local r = {pcall(struct.pack, %s)} if r[1] and type(r[2]) == 'string' then r[2] = hex(r[2]) end return all(unpack(r))" % args))
    unpacks = [
        '"<i", "\\1\\0\\0\\0"', '">i", "\\1\\0\\0\\0"', '"<i", "\\1\\0\\0"', '"bB", "\\255\\255"',
        '"hH", "\\255\\255\\255\\255"', '"lL", string.rep("\\255", 16)', '"T", string.rep("\\255", 8)',
        '"i3I3", "\\255\\255\\255\\255\\255\\255"', '">i3", "\\128\\0\\1"',
        '"i8", "\\255\\255\\255\\255\\255\\255\\255\\255"', '"I8", "\\255\\255\\255\\255\\255\\255\\255\\255"',
        '"I8", "\\0\\0\\0\\0\\0\\0\\32\\0"', '"i16", string.rep("\\255", 16)',
        '"I16", string.rep("\\255", 16)', '"i9", "\\0\\0\\0\\0\\0\\0\\0\\128\\255"',
        '">i9", "\\255\\128\\0\\0\\0\\0\\0\\0\\0"', '"i12", string.rep("\\1", 12)',
        '"I5", "\\1\\2\\3\\4\\5"', '">I5", "\\1\\2\\3\\4\\5"', '"i0", "a"', '"I0", ""',
        '"s", "ab\\0cd\\0"', '"ss", "ab\\0cd\\0"', '"s", "abc"', '"s", ""', '"c2", "abc"',
        '"c2c2", "abc"', '"bc0", "\\2abc"', '"c0", "abc"', '"Bc0", "\\5abc"', '"Bc0", "\\0abc"',
        '"bc0", "\\200abc"', '"bc0", "\\255abc"', '"sc0", "2\\0abc"', '"sc0", "x\\0abc"',
        '"fc0", "\\0\\0\\0\\64abc"', '"dc0", "\\0\\0\\0\\0\\0\\0\\248\\127abc"', '"c0c0", "ab"', '"i", "\\1\\0\\0\\0\\2\\0\\0\\0", 5',
        '"i", "\\1\\0\\0\\0\\2\\0\\0\\0", 6', '"i", "\\1\\0\\0\\0", 0', '"i", "\\1\\0\\0\\0", -1',
        '"i", "\\1\\0\\0\\0", 9', '"i", "\\1\\0\\0\\0", 5', '"", "abc", 4', '"", "abc", 5',
        '"", "abc", -1', '"", "abc", -5', '"<", "abc", 10', '"x", "a"', '"xx", "a"', '"x", ""',
        '"!4 bi", "\\1\\0\\0\\0\\2\\0\\0\\0"', '"!0 bi", "\\1\\2\\0\\0\\0"', '"!2 bd", "\\1\\0" .. string.rep("\\0", 7) .. "\\64"',
        '"f", "\\205\\204\\204\\61"', '">f", "\\61\\204\\204\\205"', '"f", "\\0\\0\\192\\127"',
        '"<d", "\\154\\153\\153\\153\\153\\153\\185\\63"', '">d", "\\63\\185\\153\\153\\153\\153\\153\\154"',
        '"d", "\\0\\0\\0\\0\\0\\0\\240\\127"', '"z", "a"', '"i"', '"i", 5', '"i", "\\1\\0\\0\\0", "x"',
        '"i", "\\1\\0\\0\\0", "1"', '"i33", "a"', '"c0"', '"c0", "a"', '"s", "a", 2', '"s", "a\\0", 3',
        '"s", "a\\0", 2', '"i", {}', 'nil, "a"', '"b b b", "\\1\\2\\3"', '"i2147483648", "a"',
        '"c2147483647", "a"', '"!3", "a"', '"!", ""', '"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", string.rep("\\1", 50)',
    ]
    for i, args in enumerate(unpacks):
        cases.append(("struct.unpack %d (%s)" % (i, args[:40]), "return try(struct.unpack, %s)" % args))
    sizes = ['"i"', '"bhilfdT"', '"!bhilfd"', '"!4bhilfd"', '"s"', '"c0"', '"c5"', '"z"', '"!3"',
             '"x"', '"i33"', '"!4bd"', '"c0i"', '""', '12', 'nil', '"<>!"', '"i99999999999"',
             '"!0 bi"', '"  "', '"#"', '"b#"', '"i2147483647"', '"Q"', '"c2147483647c2147483647"',
             '"!8 b i16"', '"i3i5"', '"!4 b i3"']
    for i, args in enumerate(sizes):
        cases.append(("struct.size %d (%s)" % (i, args[:40]), "return try(struct.size, %s)" % args))
    round_trips = [
        ('"<i4>i4!4 h d s c3 B"', "-5, 6, 7, 1.25, 'str', 'abc', 200"),
        ('">!8 b l f I2 c0 x L"', "-1, -123456789012, 0.5, 65535, 'raw', 7"),
        ('"i1i2i3i4i5i6i7i8"', "-1, -2, -3, -4, -5, -6, -7, -8"),
        ('"I1I2I3I4I5I6I7I8"', "1, 2, 3, 4, 5, 6, 7, 8"),
        ('">I8<I8"', "2^53, 2^53"),
    ]
    for i, (fmt, values) in enumerate(round_trips):
        cases.append(("struct round trip %d" % i,
                      "return all(struct.unpack(%s, struct.pack(%s, %s)))" % (fmt, fmt, values)))
    cases.append(("struct.pack uncaught error", 'return struct.pack("z", 1)'))
    cases.append(("struct.unpack uncaught error", 'return struct.unpack("i", "a")'))
    cases.append(("struct.pack method name in error", 'local ok, e = pcall(function() return struct.pack("i", "x") end) return e'))
    cases.append(("struct keys", "local t = {} for k in pairs(struct) do t[#t + 1] = k end table.sort(t) return t"))
    cases.append(("struct.unpack returned as reply", 'return {struct.unpack(">hhc2", "\\0\\1\\255\\255ab")}'))
    return cases


def bit_cases():
    cases = []
    values = ["0", "1", "-1", "2^31", "2^31 - 1", "-2^31", "2^32", "2^32 + 1", "2^53", "-2^53",
              "1.5", "-1.5", "0.5", "2^52 + 0.5", "0x12345678", "0x87654321", "1e20", "0/0", "1/0"]
    for i, v in enumerate(values):
        cases.append(("bit ops %d (%s)" % (i, v),
                      "local x = %s return all(bit.tobit(x), bit.tohex(x), bit.bnot(x), bit.bswap(x), "
                      "bit.band(x, 0xff), bit.bor(x, 1), bit.bxor(x, -1), bit.lshift(x, 4), "
                      "bit.rshift(x, 4), bit.arshift(x, 4), bit.rol(x, 8), bit.ror(x, 8))" % v))
    extra = [
        "bit.tohex(255, 2)", "bit.tohex(255, -4)", "bit.tohex(255, 0)", "bit.tohex(-1, 16)",
        "bit.tohex(-1, -16)", "bit.tohex(1, 9)", "bit.lshift(1, 31)", "bit.lshift(1, 32)",
        "bit.lshift(1, 33)", "bit.rshift(-1, 31)", "bit.arshift(-256, 4)", "bit.rol(1, -1)",
        "bit.band()", "bit.band(1)", "bit.bor(1, 2, 4, 8)", "bit.bxor(1, 3, 7)",
        "bit.band('12', '10')", "bit.tobit('x')", "bit.tobit()", "bit.band(1, {})",
    ]
    for i, e in enumerate(extra):
        cases.append(("bit extra %d (%s)" % (i, e), "return try(function() return %s end)" % e))
    cases.append(("bit keys", "local t = {} for k in pairs(bit) do t[#t + 1] = k end table.sort(t) return t"))
    return cases


def reply_cases():
    """How results become replies (the runner's conversion, not the libraries)."""
    return [
        ("reply number", "return 3.99"), ("reply negative number", "return -3.99"),
        ("reply huge number", "return 1e300"), ("reply nan", "return 0/0"),
        ("reply string", "return 'x'"), ("reply true", "return true"),
        ("reply false", "return false"), ("reply nil", "return nil"),
        ("reply array stops at nil", "return {1, 2, nil, 4}"),
        ("reply nested", "return {1, {2, {3, 'x'}}, false, 'y'}"),
        ("reply ok", "return {ok = 'fine'}"), ("reply err", "return {err = 'bad thing'}"),
        ("reply err with code", "return {err = 'WRONGTYPE bad'}"),
        ("reply error()", "error('raised')"), ("reply error table", "error({err = 'tbl'})"),
        ("reply cjson.null", "return cjson.null"), ("reply function", "return {1, function() end}"),
    ]


def lua_bytes(data):
    """A Lua string literal for arbitrary bytes."""
    return '"' + "".join("\\%d" % b for b in data) + '"'


def random_value(rng, depth=0):
    """Lua source of a random value: numbers, strings, booleans, nested
    tables that are arrays, sparse arrays or maps."""
    kind = rng.randrange(9 if depth < 4 else 5)
    if kind == 0:
        return rng.choice(NUMBERS)
    if kind == 1:
        return repr(rng.uniform(-1e6, 1e6))
    if kind == 2:
        return str(rng.randrange(-2 ** 40, 2 ** 40))
    if kind == 3:
        return lua_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(40))))
    if kind == 4:
        return rng.choice(["true", "false", "cjson.null", '"key"', "2^%d" % rng.randrange(70)])
    if kind in (5, 6):
        return "{" + ", ".join(random_value(rng, depth + 1) for _ in range(rng.randrange(20))) + "}"
    if kind == 7:
        keys = set(rng.randrange(1, 40) for _ in range(rng.randrange(1, 8)))
        return "{" + ", ".join("[%d] = %s" % (k, random_value(rng, depth + 1)) for k in sorted(keys)) + "}"
    keys = set("k%d" % rng.randrange(100) for _ in range(rng.randrange(1, 10)))
    return "{" + ", ".join("%s = %s" % (k, random_value(rng, depth + 1)) for k in sorted(keys)) + "}"


def random_msgpack(rng):
    """Bytes that look like MessagePack: type bytes of every kind followed
    by random or small length fields."""
    out = bytearray()
    for _ in range(rng.randrange(1, 8)):
        out.append(rng.choice([rng.randrange(256), rng.randrange(0xc0, 0xe0),
                               rng.randrange(0x80, 0xa0), rng.randrange(0xa0, 0xc0)]))
        for _ in range(rng.randrange(6)):
            out.append(rng.choice([0, 1, 2, 3, rng.randrange(256)]))
    return bytes(out)


STRUCT_OPTIONS = ["b", "B", "h", "H", "l", "L", "T", "i", "I", "i3", "I5", "i8", "I9", "i16",
                  "f", "d", "x", "s", "c", "c0", "c3", "<", ">", "!", "!2", "!4", "!8", " ",
                  "i0"]


def random_struct_format(rng):
    text = "".join(rng.choice(STRUCT_OPTIONS) for _ in range(rng.randrange(1, 7)))
    if rng.randrange(20) == 0:
        text += rng.choice(["q", "=", "!3", "i40"])
    return text


def random_struct_argument(rng):
    return rng.choice(NUMBERS[:60] + ['"abc"', '"hello world"', '""', '"12"', "{}", "nil"])


def random_json_value(rng, depth=0):
    kind = rng.randrange(8 if depth < 4 else 5)
    if kind == 0:
        return rng.choice([0, -1, 1.5, 1e300, 2 ** 53 + 1, -0.0, 123456789, 1e-7, 0.1])
    if kind == 1:
        return "".join(rng.choice(["a", "\u00e9", "\n", '"', "\\", "/", "\u20ac", "\x01",
                                   "\U0001F600"]) for _ in range(rng.randrange(6)))
    if kind == 2:
        return rng.choice([True, False, None])
    if kind == 3:
        return rng.randrange(-2 ** 60, 2 ** 60)
    if kind == 4:
        return rng.uniform(-1e9, 1e9)
    if kind in (5, 6):
        return [random_json_value(rng, depth + 1) for _ in range(rng.randrange(6))]
    return {"k%d" % rng.randrange(20): random_json_value(rng, depth + 1) for _ in range(rng.randrange(5))}


def random_json(rng):
    """A JSON text, sometimes with one character changed, removed or added."""
    import json
    text = json.dumps(random_json_value(rng), ensure_ascii=rng.randrange(2) == 0,
                      separators=rng.choice([(",", ":"), (", ", ": ")]))
    if rng.randrange(3) == 0 and text:
        at = rng.randrange(len(text))
        change = rng.randrange(3)
        noise = rng.choice(list('[]{},:"\\ 0e.-nu'))
        if change == 0:
            text = text[:at] + noise + text[at + 1:]
        elif change == 1:
            text = text[:at] + text[at + 1:]
        else:
            text = text[:at] + noise + text[at:]
    return text


def random_cases(seed=20260814, count=250):
    """Seeded random inputs: the same ones on every run."""
    import random
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        value = random_value(rng)
        cases.append(("random cmsgpack.pack %d" % i,
                      "local v = %s local p = cmsgpack.pack(v) return {hex(p), all(cmsgpack.unpack(p))}" % value))
        cases.append(("random cjson.encode %d" % i,
                      "local v = %s local r = {pcall(cjson.encode, v)} if r[1] then r[3] = show(cjson.decode(r[2])) end "
                      "return all(unpack(r))" % value))
        data = random_msgpack(rng)
        cases.append(("random cmsgpack.unpack %d" % i,
                      "local s = %s return {try(cmsgpack.unpack, s), try(cmsgpack.unpack_one, s, %d), "
                      "try(cmsgpack.unpack_limit, s, %d, %d)}"
                      % (lua_bytes(data), rng.randrange(len(data) + 2), rng.randrange(4),
                         rng.randrange(len(data) + 1))))
        fmt = random_struct_format(rng)
        arguments = ", ".join(random_struct_argument(rng) for _ in range(rng.randrange(6)))
        data = bytes(rng.choice([0, 1, 2, 255, 128, rng.randrange(256)]) for _ in range(rng.randrange(40)))
        cases.append(("random struct %d (%s)" % (i, fmt),
                      "local f = %r local r = {pcall(struct.pack, f%s)} "
                      "if r[1] then r[3] = try(struct.unpack, f, r[2]) r[2] = hex(r[2]) end "
                      "return {all(unpack(r)), try(struct.size, f), try(struct.unpack, f, %s, %d)}"
                      % (fmt, ", " + arguments if arguments else "", lua_bytes(data),
                         rng.randrange(1, 6))))
        json_text = random_json(rng)
        cases.append(("random cjson.decode %d" % i,
                      "return try(cjson.decode, %s)" % lua_bytes(json_text.encode())))
    return cases


def all_cases():
    """LUA_LIBS_DIFF_SEED=N (and LUA_LIBS_DIFF_RANDOM=count) draw other random
    cases than the fixed ones, to look for differences."""
    import os
    seed = int(os.environ.get("LUA_LIBS_DIFF_SEED", "20260814"))
    count = int(os.environ.get("LUA_LIBS_DIFF_RANDOM", "250"))
    return (cjson_cases() + cmsgpack_cases() + struct_cases() + bit_cases() + reply_cases() +
            random_cases(seed, count))
