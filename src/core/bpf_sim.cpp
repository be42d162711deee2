#include "gopls_sandbox/core/bpf_sim.hpp"

#include <cstring>

namespace gsb::core {

SimResult run_bpf(const std::vector<sock_filter>& prog, const seccomp_data& data) {
  SimResult res;
  uint32_t A = 0, X = 0, M[BPF_MEMWORDS] = {};
  unsigned char buf[sizeof(seccomp_data)];
  std::memcpy(buf, &data, sizeof data);
  auto fail = [&](const std::string& e) {
    res.ok = false;
    res.error = e;
    return res;
  };
  size_t pc = 0;
  for (size_t steps = 0; steps < 100000; ++steps) {
    if (pc >= prog.size()) return fail("fell off the end at " + std::to_string(pc));
    const sock_filter& in = prog[pc];
    const uint16_t code = in.code;
    const uint32_t k = in.k;
    switch (BPF_CLASS(code)) {
      case BPF_LD:
      case BPF_LDX: {
        uint32_t v = 0;
        switch (BPF_MODE(code)) {
          case BPF_ABS:
            if (BPF_SIZE(code) != BPF_W || k % 4 != 0 || k + 4 > sizeof buf)
              return fail("bad load at " + std::to_string(pc));
            std::memcpy(&v, buf + k, 4);
            break;
          case BPF_IMM: v = k; break;
          case BPF_MEM:
            if (k >= BPF_MEMWORDS) return fail("bad mem index");
            v = M[k];
            break;
          case BPF_LEN: v = sizeof(seccomp_data); break;
          default: return fail("unsupported load mode at " + std::to_string(pc));
        }
        if (BPF_CLASS(code) == BPF_LD) A = v; else X = v;
        ++pc;
        break;
      }
      case BPF_ST:
      case BPF_STX:
        if (k >= BPF_MEMWORDS) return fail("bad mem index");
        M[k] = BPF_CLASS(code) == BPF_ST ? A : X;
        ++pc;
        break;
      case BPF_ALU: {
        uint32_t src = BPF_SRC(code) == BPF_X ? X : k;
        switch (BPF_OP(code)) {
          case BPF_ADD: A += src; break;
          case BPF_SUB: A -= src; break;
          case BPF_MUL: A *= src; break;
          case BPF_DIV: if (!src) return fail("div by 0"); A /= src; break;
          case BPF_MOD: if (!src) return fail("mod by 0"); A %= src; break;
          case BPF_OR: A |= src; break;
          case BPF_AND: A &= src; break;
          case BPF_XOR: A ^= src; break;
          case BPF_LSH: A = src >= 32 ? 0 : A << src; break;
          case BPF_RSH: A = src >= 32 ? 0 : A >> src; break;
          case BPF_NEG: A = -A; break;
          default: return fail("bad alu op");
        }
        ++pc;
        break;
      }
      case BPF_JMP: {
        if (BPF_OP(code) == BPF_JA) {
          pc += 1 + k;
          break;
        }
        uint32_t src = BPF_SRC(code) == BPF_X ? X : k;
        bool t;
        switch (BPF_OP(code)) {
          case BPF_JEQ: t = A == src; break;
          case BPF_JGT: t = A > src; break;
          case BPF_JGE: t = A >= src; break;
          case BPF_JSET: t = (A & src) != 0; break;
          default: return fail("bad jmp op");
        }
        pc += 1 + (t ? in.jt : in.jf);
        break;
      }
      case BPF_RET:
        res.ok = true;
        res.ret = BPF_RVAL(code) == BPF_A ? A : k;
        return res;
      case BPF_MISC:
        if (BPF_MISCOP(code) == BPF_TAX) X = A; else A = X;
        ++pc;
        break;
      default: return fail("bad class");
    }
  }
  return fail("too many steps");
}

SimResult run_bpf(const std::vector<sock_filter>& prog, uint32_t arch, int nr,
                  const uint64_t args[6], uint64_t ip) {
  seccomp_data d{};
  d.nr = nr;
  d.arch = arch;
  d.instruction_pointer = ip;
  for (int i = 0; i < 6; ++i) d.args[i] = args ? args[i] : 0;
  return run_bpf(prog, d);
}

}  // namespace gsb::core
