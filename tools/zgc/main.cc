// zgc: inspect and drive zoned devices (see README.md).
#include <fmt/core.h>

#include "tools/zgc/commands.h"

namespace zgc::cli {

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
  zgc::cli::AddRunCommand(app, run);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Usage errors exit 2 (help exits 0), distinct from device errors (1).
    return app.exit(e) == 0 ? 0 : 2;
  }
  return run ? run() : 2;
}
