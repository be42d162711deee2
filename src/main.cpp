#include "gopls_sandbox/app/main.hpp"

int main(int argc, char** argv) { return gsb::app::main(argc, argv); }
