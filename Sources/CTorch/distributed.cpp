// c10d from libtorch: a TCPStore rendezvous and a Gloo process group (the collectives that
// data-parallel training needs). Gloo works on CPU tensors; callers stage CUDA tensors through
// the CPU (SteerMoE's trainable part is a few MB, so that costs about a millisecond per step).
#include "shim.h"
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <chrono>

struct ct_process_group_s {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

static c10d::ProcessGroupGloo &G(ct_process_group pg) { return *pg->group; }

extern "C" {

ct_error ct_process_group_create(const char *host, int32_t port, int32_t rank, int32_t world_size, int32_t is_server,
                                 double timeout_seconds, ct_process_group *out) {
  CT_TRY({
    // c10d's flight recorder (a trace of recent collectives for debugging NCCL hangs) is off unless
    // the user asks for it: it captures a stack per collective, and it inserts each new group into a
    // map before taking its lock, so two groups of one process (the two-rank tests) crash when their
    // first collectives meet. Read once, when the recorder is first used.
    setenv("TORCH_FR_BUFFER_SIZE", "0", /*overwrite=*/0);
    auto timeout = std::chrono::milliseconds((int64_t)(timeout_seconds * 1000));
    c10d::TCPStoreOptions options;
    options.port = (uint16_t)port;
    options.isServer = is_server != 0;
    options.numWorkers = world_size;
    options.waitWorkers = false;
    options.timeout = timeout;
    auto tcp = c10::make_intrusive<c10d::TCPStore>(std::string(host), options);
    // A prefix of our own keeps these keys apart from anything else on the store (torchrun's agent).
    auto store = c10::make_intrusive<c10d::PrefixStore>("steermoe/", tcp);
    auto gloo = c10d::ProcessGroupGloo::Options::create(timeout);
    // As PyTorch: GLOO_SOCKET_IFNAME picks the network interface (several nodes); otherwise the
    // address the hostname resolves to, falling back to loopback.
    const char *interface = std::getenv("GLOO_SOCKET_IFNAME");
    gloo->devices.push_back(interface && *interface ? c10d::ProcessGroupGloo::createDeviceForInterface(interface)
                                                    : c10d::ProcessGroupGloo::createDefaultDevice());
    auto group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, rank, world_size, gloo);
    *out = new ct_process_group_s{store, group};
  })
}

void ct_process_group_free(ct_process_group pg) { delete pg; }

/// In place: every rank's `t` becomes the sum over ranks (CPU tensors).
ct_error ct_process_group_allreduce_sum(ct_process_group pg, ct_tensor t) {
  CT_TRY({
    std::vector<at::Tensor> v{T(t)};
    G(pg).allreduce(v)->wait();
  })
}

/// In place: every rank's `t` becomes rank `root`'s (CPU tensors).
ct_error ct_process_group_broadcast(ct_process_group pg, ct_tensor t, int32_t root) {
  CT_TRY({
    std::vector<at::Tensor> v{T(t)};
    c10d::BroadcastOptions options;
    options.rootRank = root;
    G(pg).broadcast(v, options)->wait();
  })
}

ct_error ct_process_group_barrier(ct_process_group pg) {
  CT_TRY({ G(pg).barrier()->wait(); })
}

} // extern "C"
