// zgc: inspect and drive zoned devices (see README.md).
#include <fmt/core.h>

#include <charconv>
#include <exception>
#include <memory>
#include <new>

#include "tools/zgc/commands.h"

namespace zgc::cli {

CLI::App* AddDeviceCommand(CLI::App& app, Runner& run, const std::string& name,
                           const std::string& help, int (*fn)(const std::string&, bool)) {
  // CLI11 binds options to storage that outlives parsing; one pair per command.
  auto uri = std::make_shared<std::string>();
  auto json = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(name, help);
  cmd->add_option("uri", *uri, "Device URI (zbd:/dev/.., emu:/path, mem:?..)")->required();
  cmd->add_flag("--json", *json, "Print JSON");
  cmd->callback([&run, fn, uri, json] { run = [fn, uri, json] { return fn(*uri, *json); }; });
  return cmd;
}

int Fail(const Status& s) {
  fmt::print(stderr, "zgc: {}\n", s.ToString());
  // A request the library refused as malformed (a URI, a size, an unaligned
  // range) is the caller's mistake, whoever found it: a usage error.
  return s.code() == zgc::Code::kInvalidArgument ? 2 : 1;
}

int Usage(const Status& s) {
  fmt::print(stderr, "zgc: {}\n", s.ToString());
  return 2;
}

int Usage(const std::string& message) { return Usage(Status::InvalidArgument(message)); }

std::string Bytes(uint64_t n) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  int u = 0;
  while (u < 5 && n && n % 1024 == 0) n /= 1024, ++u;
  return fmt::format("{} {}", n, kUnits[u]);
}

Result<uint64_t> ParseIndex(const std::string& text, const std::string& what) {
  uint64_t v = 0;
  const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 10);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size())
    return Status::InvalidArgument(
        fmt::format("{} '{}' is not a zone index (0, 1, 2, ...){}", what, text,
                    ec == std::errc::result_out_of_range ? ": too large" : ""));
  return v;
}

}  // namespace zgc::cli

namespace {

int Main(int argc, char** argv) {
  CLI::App app{"zgc: garbage collection for zoned block devices"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "zgc " ZGC_VERSION);
  zgc::cli::Runner run;
  zgc::cli::AddZoneCommands(app, run);
  zgc::cli::AddProbeCommand(app, run);
  zgc::cli::AddCopyCommand(app, run);
  zgc::cli::AddRunCommand(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // A word that is no command: say so and list the commands (CLI11 would
    // say only that a subcommand is required).
    if (argc > 1 && argv[1][0] != '-' && app.get_subcommands().empty()) {
      std::string names;
      for (const CLI::App* sub : app.get_subcommands({}))
        names += (names.empty() ? "" : ", ") + sub->get_name();
      fmt::print(stderr, "zgc: '{}' is not a zgc command; commands: {} (zgc --help)\n", argv[1],
                 names);
      return 2;
    }
    // Usage errors exit 2 (help and --version exit 0), distinct from device errors (1).
    return app.exit(e) == 0 ? 0 : 2;
  }
  return run ? run() : 2;
}

}  // namespace

int main(int argc, char** argv) {
  // No exception may end the tool with an abort: what escapes a command
  // (memory exhausted, a library's own error) is reported as an error.
  try {
    return Main(argc, argv);
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "zgc: out of memory\n");
  } catch (const std::exception& e) {
    fmt::print(stderr, "zgc: internal error: {}\n", e.what());
  } catch (...) {
    fmt::print(stderr, "zgc: internal error: unknown exception\n");
  }
  return 1;
}
