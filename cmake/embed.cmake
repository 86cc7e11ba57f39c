# embed.cmake - turn the file IN into a C source OUT that defines
# `const char NAME[]`: the file's bytes and a NUL.  The binary then
# carries the file (the shell completion scripts) and needs no data
# directory at run time.  Bytes are written as hex, so no character of
# the file ever needs escaping.
#
#   cmake -DIN=completions/mcpgate.bash -DOUT=embedded/x.c -DNAME=mg_x -P cmake/embed.cmake
file(READ "${IN}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
# Sixteen bytes a line (CMake's regular expressions have no {16}).
string(REPEAT "0x[0-9a-f][0-9a-f]," 16 line)
string(REGEX REPLACE "(${line})" "\\1\n    " bytes "${bytes}")
get_filename_component(name "${IN}" NAME)
file(WRITE "${OUT}.tmp"
     "/* Generated from ${name} by cmake/embed.cmake: do not edit. */\n"
     "const char ${NAME}[] = {\n    ${bytes}0x00};\n")
# Rewritten only when it changed, so nothing is recompiled for nothing.
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
