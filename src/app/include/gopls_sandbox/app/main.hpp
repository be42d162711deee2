#pragma once
namespace gsb::app {
// Dispatch: launcher subcommands, or drop-in gopls mode.
int main(int argc, char** argv);
}  // namespace gsb::app
