// zgc: inspect and drive zoned devices (see README.md).
#include <fmt/core.h>

#include <memory>

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
  return 1;
}

}  // namespace zgc::cli

int main(int argc, char** argv) {
  CLI::App app{"zgc: garbage collection for zoned block devices"};
  app.require_subcommand(1);
  zgc::cli::Runner run;
  zgc::cli::AddZoneCommands(app, run);
  zgc::cli::AddProbeCommand(app, run);
  zgc::cli::AddCopyCommand(app, run);
  zgc::cli::AddRunCommand(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Usage errors exit 2 (help exits 0), distinct from device errors (1).
    return app.exit(e) == 0 ? 0 : 2;
  }
  return run ? run() : 2;
}
