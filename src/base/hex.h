// Lowercase hex encoding and decoding of ids (trace ids, span ids, hashes).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tokenscope {

std::string HexEncode(std::string_view bytes);

// The value of one hex digit (either case), or -1 for any other character.
int HexDigitValue(char c);

// Decodes case-insensitive hex into `out` (which must hold in.size()/2 bytes).
// Returns false for odd length or a non-hex character.
bool HexDecode(std::string_view in, uint8_t* out);

}  // namespace tokenscope
