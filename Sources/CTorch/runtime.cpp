// Runtime-wide settings: threads, seeds, CUDA loading, version.
#include "shim.h"
#include <ATen/Parallel.h>
#include <dlfcn.h>

extern "C" {

void ct_error_free(ct_error err) { free(err); }
void ct_tensor_free(ct_tensor t) { delete reinterpret_cast<at::Tensor *>(t); }

void ct_set_num_threads(int32_t n) { at::set_num_threads(n); }
int32_t ct_get_num_threads(void) { return at::get_num_threads(); }
void ct_set_num_interop_threads(int32_t n) {
  try { at::set_num_interop_threads(n); } catch (...) { /* only settable once, before first use */ }
}
void ct_manual_seed(uint64_t seed) { at::manual_seed(seed); }
const char *ct_torch_version(void) { return TORCH_VERSION; }

ct_error ct_cuda_load(void) {
  CT_TRY({
    // libtorch_cuda registers its kernels from static initialisers when loaded.
    if (!dlopen("libtorch_cuda.so", RTLD_NOW | RTLD_GLOBAL))
      throw std::runtime_error(std::string("cannot load libtorch_cuda.so: ") + dlerror());
  })
}
int32_t ct_cuda_is_available(void) { return at::globalContext().hasCUDA() ? 1 : 0; }
int32_t ct_cuda_device_count(void) {
  try { return at::globalContext().hasCUDA() ? (int32_t)at::detail::getCUDAHooks().deviceCount() : 0; }
  catch (...) { return 0; }
}
ct_error ct_cuda_synchronize(int32_t index) {
  CT_TRY({ at::detail::getCUDAHooks().deviceSynchronize(index); })
}

static thread_local int32_t default_type = CT_DEVICE_CPU, default_index = 0;
void ct_set_default_device(int32_t type, int32_t index) { default_type = type; default_index = index; }
void ct_get_default_device(int32_t *type, int32_t *index) { *type = default_type; *index = default_index; }

} // extern "C"

at::Device default_device() { return device(default_type, default_index); }
