// Hex(v): "0x1f000", the one way zgc's messages print offsets and lengths.
#ifndef ZGC_SRC_BASE_HEX_H_
#define ZGC_SRC_BASE_HEX_H_

#include <cstdint>
#include <string>

namespace zgc {

std::string Hex(uint64_t v);

}  // namespace zgc

#endif  // ZGC_SRC_BASE_HEX_H_
