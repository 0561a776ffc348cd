// Tensor lifetime, introspection, creation and conversion.
#include "shim.h"
#include <ATen/CPUGeneratorImpl.h>
#include <sstream>

struct ct_generator_s {
  at::Generator gen;
};

static c10::optional<at::Generator> gen(ct_generator g) {
  return g ? c10::optional<at::Generator>(g->gen) : c10::nullopt;
}

extern "C" {

ct_error ct_shallow_clone(ct_tensor t, ct_tensor *out) { CT_TRY(*out = wrap(T(t))) }
ct_error ct_dim(ct_tensor t, int64_t *out) { CT_TRY(*out = T(t).dim()) }
ct_error ct_sizes(ct_tensor t, int64_t *sizes, int64_t cap) {
  CT_TRY({
    auto s = T(t).sizes();
    for (int64_t i = 0; i < (int64_t)s.size() && i < cap; i++) sizes[i] = s[i];
  })
}
ct_error ct_strides(ct_tensor t, int64_t *strides, int64_t cap) {
  CT_TRY({
    auto s = T(t).strides();
    for (int64_t i = 0; i < (int64_t)s.size() && i < cap; i++) strides[i] = s[i];
  })
}
ct_error ct_numel(ct_tensor t, int64_t *out) { CT_TRY(*out = T(t).numel()) }
ct_error ct_dtype(ct_tensor t, int32_t *out) { CT_TRY(*out = (int32_t)T(t).scalar_type()) }
ct_error ct_device(ct_tensor t, int32_t *type, int32_t *index) {
  CT_TRY({
    auto d = T(t).device();
    *type = d.is_cuda() ? CT_DEVICE_CUDA : d.is_meta() ? CT_DEVICE_META : CT_DEVICE_CPU;
    *index = d.has_index() ? d.index() : 0;
  })
}
ct_error ct_is_contiguous(ct_tensor t, int32_t *out) { CT_TRY(*out = T(t).is_contiguous()) }
ct_error ct_defined(ct_tensor t, int32_t *out) { CT_TRY(*out = T(t).defined()) }
ct_error ct_item_double(ct_tensor t, double *out) { CT_TRY(*out = T(t).item<double>()) }
ct_error ct_item_int64(ct_tensor t, int64_t *out) { CT_TRY(*out = T(t).item<int64_t>()) }
ct_error ct_copy_to_buffer(ct_tensor t, void *dst, size_t nbytes) {
  CT_TRY({
    at::Tensor c = T(t).detach().to(at::kCPU).contiguous();
    size_t have = (size_t)c.numel() * c.element_size();
    if (have != nbytes)
      throw std::runtime_error("copy_to_buffer: tensor holds " + std::to_string(have) + " bytes, buffer has " +
                               std::to_string(nbytes));
    if (nbytes) memcpy(dst, c.data_ptr(), nbytes);
  })
}
ct_error ct_to_string(ct_tensor t, char **out) {
  CT_TRY({
    std::ostringstream os;
    os << T(t);
    *out = ct_strdup(os.str().c_str());
  })
}
ct_error ct_data_ptr(ct_tensor t, void **out) { CT_TRY(*out = T(t).data_ptr()) }

// ---- generators --------------------------------------------------------------------
ct_error ct_generator_new(uint64_t seed, int32_t device_type, int32_t device_index, ct_generator *out) {
  CT_TRY({
    at::Generator g;
    if (device_type == CT_DEVICE_CUDA) {
      g = at::detail::getCUDAHooks().getNewGenerator(device_index);
    } else {
      g = at::make_generator<at::CPUGeneratorImpl>(seed);
    }
    g.set_current_seed(seed);
    *out = new ct_generator_s{g};
  })
}
void ct_generator_free(ct_generator g) { delete g; }
ct_error ct_generator_get_state(ct_generator g, ct_tensor *out) { CT_TRY(*out = wrap(g->gen.get_state())) }
ct_error ct_generator_set_state(ct_generator g, ct_tensor state) { CT_TRY(g->gen.set_state(T(state))) }
ct_error ct_default_generator_get_state(ct_tensor *out) {
  CT_TRY(*out = wrap(at::detail::getDefaultCPUGenerator().get_state()))
}
ct_error ct_default_generator_set_state(ct_tensor state) {
  CT_TRY({
    at::Generator g = at::detail::getDefaultCPUGenerator(); // shares the global generator's state
    g.set_state(T(state));
  })
}

// ---- creation ------------------------------------------------------------------------
ct_error ct_empty(const int64_t *sizes, int64_t ndim, int32_t dtype, int32_t dt, int32_t di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::empty(dims(sizes, ndim), options(dtype, dt, di))))
}
ct_error ct_zeros(const int64_t *sizes, int64_t ndim, int32_t dtype, int32_t dt, int32_t di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::zeros(dims(sizes, ndim), options(dtype, dt, di))))
}
ct_error ct_ones(const int64_t *sizes, int64_t ndim, int32_t dtype, int32_t dt, int32_t di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::ones(dims(sizes, ndim), options(dtype, dt, di))))
}
ct_error ct_full(const int64_t *sizes, int64_t ndim, ct_scalar v, int32_t dtype, int32_t dt, int32_t di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::full(dims(sizes, ndim), S(v), options(dtype, dt, di))))
}
ct_error ct_arange(ct_scalar start, ct_scalar end, ct_scalar step, int32_t dtype, int32_t dt, int32_t di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::arange(S(start), S(end), S(step), options(dtype, dt, di))))
}
ct_error ct_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t dt, int32_t di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::linspace(start, end, steps, options(dtype, dt, di))))
}
ct_error ct_randn(const int64_t *sizes, int64_t ndim, int32_t dtype, int32_t dt, int32_t di, ct_generator g, ct_tensor *out) {
  CT_TRY(*out = wrap(at::randn(dims(sizes, ndim), gen(g), options(dtype, dt, di))))
}
ct_error ct_rand(const int64_t *sizes, int64_t ndim, int32_t dtype, int32_t dt, int32_t di, ct_generator g, ct_tensor *out) {
  CT_TRY(*out = wrap(at::rand(dims(sizes, ndim), gen(g), options(dtype, dt, di))))
}
ct_error ct_randint(int64_t low, int64_t high, const int64_t *sizes, int64_t ndim, int32_t dt, int32_t di, ct_generator g,
                    ct_tensor *out) {
  CT_TRY(*out = wrap(at::randint(low, high, dims(sizes, ndim), gen(g), options((int32_t)at::kLong, dt, di))))
}
ct_error ct_randperm(int64_t n, ct_generator g, ct_tensor *out) {
  CT_TRY(*out = wrap(at::randperm(n, gen(g), at::TensorOptions().dtype(at::kLong))))
}
ct_error ct_from_buffer(const void *data, const int64_t *sizes, int64_t ndim, int32_t dtype, ct_tensor *out) {
  CT_TRY({
    auto t = at::empty(dims(sizes, ndim), at::TensorOptions().dtype((at::ScalarType)dtype));
    size_t n = (size_t)t.numel() * t.element_size();
    if (n) memcpy(t.data_ptr(), data, n);
    at::Device target = default_device();
    *out = wrap(target.is_cpu() ? t : t.to(target));
  })
}
ct_error ct_from_blob(void *data, const int64_t *sizes, int64_t ndim, int32_t dtype, void (*deleter)(void *), void *ctx,
                      ct_tensor *out) {
  CT_TRY({
    auto t = at::from_blob(
        data, dims(sizes, ndim), [deleter, ctx](void *) { if (deleter) deleter(ctx); },
        at::TensorOptions().dtype((at::ScalarType)dtype));
    *out = wrap(t);
  })
}
ct_error ct_scalar_tensor(ct_scalar v, int32_t dtype, int32_t dt, int32_t di, ct_tensor *out) {
  CT_TRY(*out = wrap(at::scalar_tensor(S(v), options(dtype, dt, di))))
}
ct_error ct_eye(int64_t n, int32_t dtype, ct_tensor *out) {
  CT_TRY(*out = wrap(at::eye(n, at::TensorOptions().dtype((at::ScalarType)dtype))))
}
ct_error ct_hann_window(int64_t length, int32_t periodic, int32_t dtype, ct_tensor *out) {
  CT_TRY(*out = wrap(at::hann_window(length, periodic != 0, at::TensorOptions().dtype((at::ScalarType)dtype))))
}
ct_error ct_zeros_like(ct_tensor t, ct_tensor *out) { CT_TRY(*out = wrap(at::zeros_like(T(t)))) }
ct_error ct_ones_like(ct_tensor t, ct_tensor *out) { CT_TRY(*out = wrap(at::ones_like(T(t)))) }
ct_error ct_full_like(ct_tensor t, ct_scalar v, ct_tensor *out) { CT_TRY(*out = wrap(at::full_like(T(t), S(v)))) }

ct_error ct_normal_(ct_tensor a, double mean, double std, ct_generator g) { CT_TRY(T(a).normal_(mean, std, gen(g))) }
ct_error ct_uniform_(ct_tensor a, double low, double high, ct_generator g) { CT_TRY(T(a).uniform_(low, high, gen(g))) }

// ---- conversion ----------------------------------------------------------------------
ct_error ct_to(ct_tensor t, int32_t dt, int32_t di, int32_t dtype, int32_t non_blocking, ct_tensor *out) {
  CT_TRY(*out = wrap(T(t).to(device(dt, di), (at::ScalarType)dtype, non_blocking != 0)))
}
ct_error ct_to_dtype(ct_tensor t, int32_t dtype, ct_tensor *out) { CT_TRY(*out = wrap(T(t).to((at::ScalarType)dtype))) }
ct_error ct_clone(ct_tensor t, ct_tensor *out) { CT_TRY(*out = wrap(T(t).clone())) }
ct_error ct_contiguous(ct_tensor t, ct_tensor *out) { CT_TRY(*out = wrap(T(t).contiguous())) }
ct_error ct_copy_(ct_tensor dst, ct_tensor src) { CT_TRY(T(dst).copy_(T(src))) }

} // extern "C"
