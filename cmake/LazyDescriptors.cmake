# cmake -DIN=x.pb.cc -DOUT=lazy/x.pb.cc -P LazyDescriptors.cmake
#
# A copy of protoc's x.pb.cc whose descriptors are registered on first use
# instead of at start-up: the static AddDescriptorsRunner goes, and protobuf
# registers the file (and its imports) the first time a message of it asks
# for its descriptor (reflection, the JSON mapping). Parsing and indexing
# every file at start-up was a fifth of `poolctl --help` (issue 18). What is
# lost: finding a type by name in the generated pool before any message of
# its file was used, which poolctl never does. The servers keep protoc's
# code (their reflection service finds types by name).
file(READ "${IN}" text)
set(runner_regex
  "PROTOBUF_ATTRIBUTE_INIT_PRIORITY2 static ::_pbi::AddDescriptorsRunner [^\n]*\n")
# (Counted by a match without the line's `;`, a list separator in CMake.)
string(REGEX MATCHALL "static ::_pbi::AddDescriptorsRunner " runners
  "${text}")
list(LENGTH runners count)
if(NOT count EQUAL 1)
  # Another protobuf's code generator: stop rather than guess.
  message(FATAL_ERROR "${IN}: expected one AddDescriptorsRunner, found ${count}")
endif()
string(REGEX REPLACE "${runner_regex}"
  "// Registered on first use (cmake/LazyDescriptors.cmake).\n" text "${text}")
file(WRITE "${OUT}" "${text}")
