#include "host/bind_guard.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <vector>

#include "base/file.h"
#include "base/strings.h"
#include "base/unique_fd.h"

namespace left4me::host {
namespace {

long bpf(int command, bpf_attr& attr) { return ::syscall(SYS_bpf, command, &attr, sizeof attr); }

bpf_insn instruction(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t offset, std::int32_t imm) {
  bpf_insn insn{};
  insn.code = code;
  insn.dst_reg = dst & 0xf;
  insn.src_reg = src & 0xf;
  insn.off = offset;
  insn.imm = imm;
  return insn;
}

// r2 = ctx->user_port; r0 = 1 (allow); if r2 == port or r2 == 0 exit; r0 = 0 (EPERM); exit.
std::vector<bpf_insn> guard_program(std::uint16_t port) {
  const auto port_offset = static_cast<std::int16_t>(offsetof(bpf_sock_addr, user_port));
  const auto network_port = static_cast<std::int32_t>(htons(port));  // the field holds the port as bind() got it
  return {
      instruction(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, port_offset, 0),
      instruction(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 1),
      instruction(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_2, 0, 2, network_port),
      instruction(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_2, 0, 1, 0),
      instruction(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
      instruction(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
  };
}

Result<UniqueFd> load_guard(std::uint16_t port, bpf_attach_type type) {
  std::vector<bpf_insn> program = guard_program(port);
  static const char kLicense[] = "GPL";
  std::vector<char> log(4096);
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_CGROUP_SOCK_ADDR;
  attr.expected_attach_type = type;
  attr.insns = reinterpret_cast<std::uintptr_t>(program.data());
  attr.insn_cnt = static_cast<std::uint32_t>(program.size());
  attr.license = reinterpret_cast<std::uintptr_t>(kLicense);
  attr.log_buf = reinterpret_cast<std::uintptr_t>(log.data());
  attr.log_size = static_cast<std::uint32_t>(log.size());
  attr.log_level = 1;
  std::memcpy(attr.prog_name, kBindGuardName.data(), std::min(kBindGuardName.size(), sizeof attr.prog_name - 1));
  long fd = bpf(BPF_PROG_LOAD, attr);
  if (fd < 0) {
    int error = errno;
    std::string verifier(trim(log.data()));
    return Error::from_errno("load the bind guard" + (verifier.empty() ? "" : " (" + verifier + ")"), error);
  }
  return UniqueFd(static_cast<int>(fd));
}

// Detaches every program named kBindGuardName attached to the cgroup for `type`.
Status detach_previous(int cgroup_fd, bpf_attach_type type) {
  std::vector<std::uint32_t> ids(64);
  bpf_attr query{};
  query.query.target_fd = static_cast<std::uint32_t>(cgroup_fd);
  query.query.attach_type = type;
  query.query.prog_ids = reinterpret_cast<std::uintptr_t>(ids.data());
  query.query.prog_cnt = static_cast<std::uint32_t>(ids.size());
  if (bpf(BPF_PROG_QUERY, query) != 0) return Error::from_errno("query the cgroup's programs", errno);
  for (std::uint32_t i = 0; i < query.query.prog_cnt && i < ids.size(); ++i) {
    bpf_attr by_id{};
    by_id.prog_id = ids[i];
    long fd = bpf(BPF_PROG_GET_FD_BY_ID, by_id);
    if (fd < 0) continue;  // gone meanwhile
    UniqueFd program(static_cast<int>(fd));
    bpf_prog_info info{};
    bpf_attr get_info{};
    get_info.info.bpf_fd = static_cast<std::uint32_t>(program.get());
    get_info.info.info_len = sizeof info;
    get_info.info.info = reinterpret_cast<std::uintptr_t>(&info);
    if (bpf(BPF_OBJ_GET_INFO_BY_FD, get_info) != 0) continue;
    if (std::string_view(info.name, strnlen(info.name, sizeof info.name)) != kBindGuardName) continue;
    bpf_attr detach{};
    detach.target_fd = static_cast<std::uint32_t>(cgroup_fd);
    detach.attach_bpf_fd = static_cast<std::uint32_t>(program.get());
    detach.attach_type = type;
    if (bpf(BPF_PROG_DETACH, detach) != 0 && errno != ENOENT) {
      return Error::from_errno("detach the previous bind guard", errno);
    }
  }
  return ok_status();
}

}  // namespace

Status attach_bind_guard(const std::string& cgroup_dir, std::uint16_t port) {
  UniqueFd cgroup(::open(cgroup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cgroup.valid()) return Error::from_errno("open " + cgroup_dir, errno);
  for (bpf_attach_type type : {BPF_CGROUP_INET4_BIND, BPF_CGROUP_INET6_BIND}) {
    Result<UniqueFd> program = load_guard(port, type);
    if (!program) return program.error();
    if (Status previous = detach_previous(cgroup.get(), type); !previous) return previous;
    bpf_attr attach{};
    attach.target_fd = static_cast<std::uint32_t>(cgroup.get());
    attach.attach_bpf_fd = static_cast<std::uint32_t>(program->get());
    attach.attach_type = type;
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, attach) != 0) return Error::from_errno("attach the bind guard to " + cgroup_dir, errno);
  }
  return ok_status();
}

Result<std::string> own_cgroup_dir() {
  Result<std::string> content = read_file("/proc/self/cgroup");
  if (!content) return content.error();
  for (const std::string& line : split(*content, '\n')) {
    if (line.starts_with("0::/")) {
      std::string path = line.substr(3);
      if (path.find("/..") != std::string::npos) return Error::invalid("/proc/self/cgroup: odd path '" + path + "'");
      return "/sys/fs/cgroup" + (path == "/" ? std::string() : path);
    }
  }
  return Error::unavailable("/proc/self/cgroup has no cgroup v2 line");
}

}  // namespace left4me::host
