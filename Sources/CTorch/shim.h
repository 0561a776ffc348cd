// Internal helpers shared by the CTorch translation units (not part of the C ABI).
#pragma once
#include "ctorch.h"
#include <ATen/ATen.h>
#include <torch/version.h>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

inline char *ct_strdup(const char *s) {
  size_t n = strlen(s);
  char *r = (char *)malloc(n + 1);
  memcpy(r, s, n + 1);
  return r;
}

// Runs `body`; any C++ exception becomes a returned message (never crosses into Swift).
#define CT_TRY(...)                                                                       \
  try {                                                                                   \
    __VA_ARGS__;                                                                             \
    return nullptr;                                                                       \
  } catch (const c10::Error &e) {                                                         \
    return ct_strdup(e.what_without_backtrace());                                         \
  } catch (const std::exception &e) {                                                     \
    return ct_strdup(e.what());                                                           \
  } catch (...) {                                                                         \
    return ct_strdup("unknown C++ exception");                                            \
  }

inline at::Tensor &T(ct_tensor t) { return *reinterpret_cast<at::Tensor *>(t); }
inline ct_tensor wrap(at::Tensor t) { return reinterpret_cast<ct_tensor>(new at::Tensor(std::move(t))); }
inline c10::optional<at::Tensor> opt(ct_tensor t) {
  return t ? c10::optional<at::Tensor>(T(t)) : c10::nullopt;
}
inline at::Scalar S(ct_scalar s) {
  switch (s.kind) {
  case 1: return at::Scalar((int64_t)s.i);
  case 2: return at::Scalar((bool)(s.i != 0));
  default: return at::Scalar(s.f);
  }
}
inline at::IntArrayRef dims(const int64_t *d, int64_t n) { return at::IntArrayRef(d, (size_t)n); }
inline at::Device device(int32_t type, int32_t index) {
  if (type == CT_DEVICE_CUDA) return at::Device(at::kCUDA, (c10::DeviceIndex)index);
  return type == CT_DEVICE_META ? at::Device(at::kMeta) : at::Device(at::kCPU);
}
/// This thread's default device (ct_set_default_device).
at::Device default_device();
inline at::TensorOptions options(int32_t dtype, int32_t dev_type, int32_t dev_index) {
  return at::TensorOptions().dtype((at::ScalarType)dtype).device(device(dev_type, dev_index));
}
inline std::vector<at::Tensor> tensors(const ct_tensor *ts, int64_t n) {
  std::vector<at::Tensor> v;
  v.reserve(n);
  for (int64_t i = 0; i < n; i++) v.push_back(T(ts[i]));
  return v;
}
