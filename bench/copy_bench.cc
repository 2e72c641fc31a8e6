// copy_bench: relocates the same scattered live extents (4 KiB..1 MiB) by every
// copy path a device offers, in one run, and compares each with read/write.
//   copy_bench --uri zbd:/dev/nvme0n1 --mib 256 [--csv out.csv] [--seed 1]
// The device is erased. Prints a table; ratios are against the read/write path
// measured in the same run, so a slow or noisy machine does not skew them.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>

#include "zgc/copy.h"

namespace {

using namespace zgc;

struct Row {
  CopyPath path;
  uint64_t bytes = 0, extents = 0, commands = 0, host_bytes = 0;
  double seconds = 0, cpu = 0;
};

double CpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

Status Fill(ZonedDevice& dev, const Zone& z, uint64_t bytes) {
  std::vector<std::byte> buf(1 << 20);
  for (size_t i = 0; i < buf.size(); ++i) buf[i] = std::byte(i * 131 + z.start / 4096);
  for (uint64_t off = 0; off < bytes; off += buf.size())
    ZGC_RETURN_IF_ERROR(dev.Write(
        z.start + off, std::span(buf).first(std::min<uint64_t>(buf.size(), bytes - off))));
  return Status::OK();
}

// Live extents: log-uniform sizes 4 KiB..1 MiB, about two thirds of each source zone.
std::vector<Extent> LiveExtents(const std::vector<Zone>& sources, uint64_t want, uint32_t lbs,
                                std::mt19937_64& rng) {
  std::vector<Extent> out;
  uint64_t total = 0;
  std::uniform_real_distribution<double> log_size(std::log(4096.0), std::log(1048576.0));
  for (const Zone& z : sources) {
    for (uint64_t off = z.start; off < z.start + z.capacity && total < want;) {
      uint64_t len = static_cast<uint64_t>(std::exp(log_size(rng))) / lbs * lbs;
      len = std::min({std::max<uint64_t>(len, lbs), z.start + z.capacity - off, want - total});
      if (rng() % 3) {
        out.push_back({off, len});
        total += len;
      }
      off += len;
    }
  }
  return out;
}

Result<Row> Measure(ZonedDevice& dev, CopyPath path, uint64_t want, uint64_t seed) {
  ZGC_RETURN_IF_ERROR(dev.ResetAll());
  auto zones = dev.ReportAllZones();
  if (!zones.ok()) return zones.status();
  std::vector<Zone> seq;
  for (const Zone& z : *zones)
    if (z.sequential()) seq.push_back(z);
  // Sources first (filled to capacity), destinations after them.
  const uint64_t cap = seq.front().capacity;
  const size_t nsrc = std::min<size_t>(seq.size() / 2 + 1, (want * 3 / 2 + cap - 1) / cap + 1);
  std::vector<Zone> src(seq.begin(), seq.begin() + nsrc);
  for (const Zone& z : src) ZGC_RETURN_IF_ERROR(Fill(dev, z, z.capacity));
  std::mt19937_64 rng(seed);
  const auto extents = LiveExtents(src, want, dev.info().logical_block_size, rng);
  std::vector<Destination> dests;
  for (size_t i = nsrc; i < seq.size(); ++i)
    dests.push_back({seq[i].start, seq[i].start + seq[i].capacity});
  ZGC_ASSIGN_OR_RETURN(auto copier,
                       Copier::Create(dev, CopyOptions{.path = path, .queue_depth = 8}));
  const double cpu0 = CpuSeconds();
  const auto t0 = std::chrono::steady_clock::now();
  ZGC_ASSIGN_OR_RETURN(CopyPlan plan, copier->Copy(extents, dests));
  ZGC_RETURN_IF_ERROR(dev.Sync());
  Row r{path};
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.cpu = CpuSeconds() - cpu0;
  const CopyStats s = copier->stats();
  r.bytes = plan.bytes;
  r.extents = extents.size();
  r.commands = s.of(path).commands;
  r.host_bytes = s.host_bytes_read + s.host_bytes_written;
  if (s.of(path).bytes != plan.bytes)
    return Status::IoError(std::string(CopyPathName(path)) + " did not copy every byte itself (" +
                           std::to_string(s.of(path).failures) + " failures)");
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"copy_bench: relocation by every copy path of a device, compared in one run"};
  std::string uri = "mem:?zone_size=64M&zones=32&max_open=0&max_active=0", csv;
  double mib = 256;
  uint64_t seed = 1;
  app.add_option("--uri", uri, "Device URI (erased)")->capture_default_str();
  app.add_option("--mib", mib, "MiB of live extents to relocate per path")->capture_default_str();
  app.add_option("--csv", csv, "Also write the rows as CSV");
  app.add_option("--seed", seed, "Extent layout seed")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  auto dev = OpenDevice(uri);
  if (!dev.ok()) {
    std::fprintf(stderr, "copy_bench: %s\n", dev.status().ToString().c_str());
    return 1;
  }
  auto probe = Copier::Create(**dev);
  if (!probe.ok()) {
    std::fprintf(stderr, "copy_bench: %s\n", probe.status().ToString().c_str());
    return 1;
  }
  std::vector<Row> rows;
  for (CopyPath p : (*probe)->chain()) {
    auto r = Measure(**dev, p, static_cast<uint64_t>(mib * 1048576), seed);
    if (!r.ok()) {
      std::fprintf(stderr, "copy_bench: %s: %s\n", std::string(CopyPathName(p)).c_str(),
                   r.status().ToString().c_str());
      return 1;
    }
    rows.push_back(*r);
  }
  const Row& rw = rows.back();  // read/write is always last
  std::printf("copy_bench %s: %.0f MiB of %lu live extents (4 KiB..1 MiB) per path\n", uri.c_str(),
              rows[0].bytes / 1048576.0, static_cast<unsigned long>(rows[0].extents));
  std::printf("%-11s %8s %9s %12s %11s %9s | %10s %11s %10s\n", "path", "MiB/s", "commands",
              "host MiB r+w", "CPU s/GiB", "seconds", "x speed", "x host I/O", "x CPU");
  std::ofstream out;
  if (!csv.empty()) {
    out.open(csv);
    out << "path,bytes,extents,seconds,mib_per_s,commands,host_bytes,cpu_s_per_gib,speed_vs_rw,"
           "host_bytes_vs_rw,cpu_vs_rw\n";
  }
  for (const Row& r : rows) {
    const double gib = r.bytes / 1073741824.0;
    const double speed = (r.bytes / r.seconds) / (rw.bytes / rw.seconds);
    const double host = rw.host_bytes ? double(r.host_bytes) / rw.host_bytes : 0;
    const double cpu = (r.cpu / gib) / (rw.cpu / (rw.bytes / 1073741824.0));
    std::printf("%-11s %8.1f %9lu %12.2f %11.3f %9.3f | %9.2fx %10.4fx %9.3fx\n",
                std::string(CopyPathName(r.path)).c_str(), r.bytes / 1048576.0 / r.seconds,
                static_cast<unsigned long>(r.commands), r.host_bytes / 1048576.0, r.cpu / gib,
                r.seconds, speed, host, cpu);
    if (out)
      out << CopyPathName(r.path) << ',' << r.bytes << ',' << r.extents << ',' << r.seconds << ','
          << r.bytes / 1048576.0 / r.seconds << ',' << r.commands << ',' << r.host_bytes << ','
          << r.cpu / gib << ',' << speed << ',' << host << ',' << cpu << '\n';
  }
  std::printf(
      "(x columns: each path against read/write in this run; host I/O counts data and copy "
      "descriptors)\n");
  return 0;
}
