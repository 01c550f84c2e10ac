// tokenize_tool: encodes texts with Tokenscope's tokenizer for the differential test
// (data/differential.test.mjs), which compares the ids with js-tiktoken's.
//
// Input (stdin), repeated until end of input: a 4-byte little-endian encoding index (0:
// o200k_base, 1: cl100k_base), a 4-byte little-endian byte length, then the text's bytes.
// Output (stdout): one line per text, its token ids separated by spaces. Exit status 1 with a
// message on stderr for malformed input or an unknown encoding.
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "tokenize/encoding.h"

namespace {

bool ReadU32(std::istream& in, uint32_t* value) {
  unsigned char bytes[4];
  if (!in.read(reinterpret_cast<char*>(bytes), 4)) return false;
  *value = bytes[0] | bytes[1] << 8 | bytes[2] << 16 | static_cast<uint32_t>(bytes[3]) << 24;
  return true;
}

}  // namespace

int main() {
  using tokenscope::tokenize::Encoding;
  const char* const kNames[] = {"o200k_base", "cl100k_base"};
  std::ios::sync_with_stdio(false);
  std::string out;
  uint32_t index = 0;
  while (ReadU32(std::cin, &index)) {
    uint32_t length = 0;
    std::string text;
    if (index > 1 || !ReadU32(std::cin, &length)) {
      std::cerr << "tokenize_tool: malformed input\n";
      return 1;
    }
    text.resize(length);
    if (length > 0 && !std::cin.read(text.data(), length)) {
      std::cerr << "tokenize_tool: truncated input\n";
      return 1;
    }
    auto encoding = Encoding::Get(kNames[index]);
    if (!encoding.ok()) {
      std::cerr << "tokenize_tool: " << encoding.status().ToString() << "\n";
      return 1;
    }
    const std::vector<uint32_t> ids = (*encoding)->Encode(text);
    for (size_t i = 0; i < ids.size(); ++i) {
      if (i > 0) out.push_back(' ');
      out += std::to_string(ids[i]);
    }
    out.push_back('\n');
  }
  std::cout << out;
  return 0;
}
