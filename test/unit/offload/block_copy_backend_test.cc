// The block-layer copy path against a stand-in kernel (no mainline kernel has it).
#include "src/offload/block_copy_backend.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>

namespace zgc {
namespace {

struct FakeKernel final : BlockCopyCalls {
  int error = 0;                            // errno to fail ioctls with
  ssize_t max_chunk = 1 << 30;              // copy_file_range short copies
  std::vector<std::vector<uint64_t>> seen;  // decoded requests
  std::vector<unsigned long> requests;      // ioctl numbers, in order
  unsigned long only = 0;                   // when set: the one ioctl this kernel has
  int Ioctl(int, unsigned long request, void* arg) override {
    requests.push_back(request);
    if (error || (only && request != only)) {
      errno = error ? error : ENOTTY;
      return -1;
    }
    const auto* w = static_cast<const uint64_t*>(arg);
    if (request == kBlkCopyRequest || request == kBlkCopyRequestV2) {
      std::vector<uint64_t> r = {w[0], w[1]};  // dest, nr_range
      const auto* ranges = reinterpret_cast<const uint64_t*>(w[2]);
      for (uint64_t i = 0; i < 2 * w[1]; ++i) r.push_back(ranges[i]);
      seen.push_back(r);
    } else if (request == kBlkCpyVecRequest) {
      uint16_t nr;
      std::memcpy(&nr, &w[1], 2);
      std::vector<uint64_t> r = {w[0], nr};
      const auto* src = reinterpret_cast<const uint64_t*>(w[2]);
      for (uint64_t i = 0; i < 2u * nr; ++i) r.push_back(src[i]);
      seen.push_back(r);
    }
    return 0;
  }
  ssize_t CopyFileRange(int, loff_t* in, loff_t* out, size_t len) override {
    const ssize_t n = std::min<ssize_t>(len, max_chunk);
    seen.push_back({uint64_t(*in), uint64_t(*out), uint64_t(n)});
    *in += n;
    *out += n;
    return n;
  }
};

const CopyCommand kCmd{0, false, 0, {{8192, 4096}, {65536, 8192}}, 1 << 20};

TEST(BlockCopyBackend, RfcRequestsAreInBytes) {
  FakeKernel k;
  BlockCopyBackend b(-1, BlockCopyInterface::kRfc128, 1 << 20, 1 << 24, k);
  auto r = b.Run(std::span(&kCmd, 1));
  ASSERT_TRUE(r[0].ok());
  EXPECT_EQ(k.seen[0], (std::vector<uint64_t>{1 << 20, 2, 8192, 4096, 65536, 8192}));
}

// Regression: a kernel with only the later RFC number (129) was probed as
// "BLKCOPY(129)", mapped to the RFC form, and sent 128, which always failed.
TEST(BlockCopyBackend, TheInterfaceProbedIsTheOneUsed) {
  FakeKernel k;
  k.only = kBlkCopyRequestV2;
  BlockCopyBackend b(-1, BlockCopyInterface::kRfc129, 1 << 20, 1 << 24, k);
  auto r = b.Run(std::span(&kCmd, 1));
  ASSERT_TRUE(r[0].ok()) << r[0].ToString();
  EXPECT_EQ(k.requests, (std::vector<unsigned long>{kBlkCopyRequestV2}));
  EXPECT_EQ(k.seen[0], (std::vector<uint64_t>{1 << 20, 2, 8192, 4096, 65536, 8192}));
  EXPECT_EQ(BlockCopyInterfaceName(BlockCopyInterface::kRfc129), "BLKCOPY(129)");
  BlockCopyBackend none(-1, BlockCopyInterface::kNone, 1 << 20, 1 << 24, k);
  EXPECT_EQ(none.Run(std::span(&kCmd, 1))[0].code(), Code::kInvalidArgument);
}

TEST(BlockCopyBackend, VectoredRequestsAreInSectors) {
  FakeKernel k;
  BlockCopyBackend b(-1, BlockCopyInterface::kVectored143, 1 << 20, 1 << 24, k);
  ASSERT_TRUE(b.Run(std::span(&kCmd, 1))[0].ok());
  EXPECT_EQ(k.seen[0], (std::vector<uint64_t>{2048, 2, 16, 8, 128, 16}));
}

TEST(BlockCopyBackend, CopyFileRangeResumesShortCopies) {
  FakeKernel k;
  k.max_chunk = 4096;
  BlockCopyBackend b(-1, BlockCopyInterface::kCopyFileRange, 1 << 20, 1 << 24, k);
  ASSERT_TRUE(b.Run(std::span(&kCmd, 1))[0].ok());
  ASSERT_EQ(k.seen.size(), 3u);
  EXPECT_EQ(k.seen[2], (std::vector<uint64_t>{65536 + 4096, (1 << 20) + 8192, 4096}));
}

TEST(BlockCopyBackend, KernelErrorsStopTheZoneAndMapToStatus) {
  FakeKernel k;
  k.error = EIO;
  BlockCopyBackend b(-1, BlockCopyInterface::kRfc128, 1 << 20, 1 << 24, k);
  const CopyCommand two[] = {kCmd, {0, false, 0, {{0, 4096}}, (1 << 20) + 12288}};
  auto r = b.Run(two);
  EXPECT_EQ(r[0].code(), Code::kIoError);
  EXPECT_EQ(r[1].code(), Code::kAborted) << "the next copy to the zone is not attempted";
  k.error = ENOTTY;
  EXPECT_EQ(b.Run(std::span(&kCmd, 1))[0].code(), Code::kNotSupported);
}

}  // namespace
}  // namespace zgc
