// Subcommands of the zgc tool. Each registers itself on the CLI11 app and returns
// the process exit status when run: 0 on success, 1 on a zgc error (printed to
// stderr as "zgc: <code>: <message>"), 2 on a usage error (an option's value
// is malformed or contradicts another, whether CLI11 or the command found it).
#ifndef ZGC_TOOLS_ZGC_COMMANDS_H_
#define ZGC_TOOLS_ZGC_COMMANDS_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <nlohmann/json.hpp>

#include "zgc/device.h"

namespace zgc::cli {

using Runner = std::function<int()>;

void AddZoneCommands(CLI::App& app, Runner& run);  // info, zones, reset, mkemu
void AddRunCommand(CLI::App& app, Runner& run);    // run: the demonstration workload
void AddProbeCommand(CLI::App& app, Runner& run);  // probe: zone model, limits, copy paths
void AddCopyCommand(CLI::App& app, Runner& run);   // copy: one batch through the copy paths

// Registers `name URI [--json]` running fn(uri, json).
CLI::App* AddDeviceCommand(CLI::App& app, Runner& run, const std::string& name,
                           const std::string& help, int (*fn)(const std::string& uri, bool json));

// Geometry, limits and family of a device, as `zgc info --json` prints them.
nlohmann::json DeviceInfoJson(const DeviceInfo& info);
const char* ModelName(ZoneModel model);

// Prints the status to stderr and returns the exit code for it: 2 for
// kInvalidArgument (a malformed request: a usage error), else 1.
int Fail(const Status& s);
// A usage mistake: printed like Fail, exit code 2.
int Usage(const Status& s);
int Usage(const std::string& message);

// A byte count exactly, in the largest binary unit that divides it: "8 KiB",
// "26 MiB", "12292 KiB", "4096 B".
std::string Bytes(uint64_t n);

// A decimal index (a zone number): digits only, no sign, no overflow.
// kInvalidArgument naming `what` otherwise.
Result<uint64_t> ParseIndex(const std::string& text, const std::string& what);

}  // namespace zgc::cli

#endif  // ZGC_TOOLS_ZGC_COMMANDS_H_
