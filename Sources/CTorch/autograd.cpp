// Autograd, gradient checkpointing, autocast and the optimiser kernels.
#include "shim.h"
#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/custom_function.h>

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

extern "C" {

ct_error ct_set_requires_grad(ct_tensor t, int32_t r) { CT_TRY(T(t).set_requires_grad(r != 0)) }
ct_error ct_requires_grad(ct_tensor t, int32_t *out) { CT_TRY(*out = T(t).requires_grad()) }
ct_error ct_is_leaf(ct_tensor t, int32_t *out) { CT_TRY(*out = T(t).is_leaf()) }
ct_error ct_backward(ct_tensor t, ct_tensor grad, int32_t retain_graph) {
  CT_TRY({
    at::Tensor g = grad ? T(grad) : at::Tensor();
    T(t).backward(g, retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt, false);
  })
}
ct_error ct_grad(ct_tensor t, ct_tensor *out) {
  CT_TRY({
    const at::Tensor &g = T(t).grad();
    *out = g.defined() ? wrap(g) : nullptr;
  })
}
ct_error ct_set_grad(ct_tensor t, ct_tensor grad) { CT_TRY(T(t).mutable_grad() = grad ? T(grad) : at::Tensor()) }
ct_error ct_zero_grad(const ct_tensor *ts, int64_t n) {
  CT_TRY({
    for (int64_t i = 0; i < n; i++) T(ts[i]).mutable_grad() = at::Tensor();
  })
}
ct_error ct_detach(ct_tensor t, ct_tensor *out) { CT_TRY(*out = wrap(T(t).detach())) }
ct_error ct_retain_grad(ct_tensor t) { CT_TRY(T(t).retain_grad()) }
int32_t ct_is_grad_enabled(void) { return at::GradMode::is_enabled() ? 1 : 0; }
void ct_set_grad_enabled(int32_t enabled) { at::GradMode::set_enabled(enabled != 0); }

ct_error ct_autograd_grad(const ct_tensor *outputs, int64_t nout, const ct_tensor *grad_outputs, const ct_tensor *inputs,
                          int64_t nin, int32_t retain_graph, int32_t create_graph, ct_tensor *grads) {
  CT_TRY({
    variable_list outs = tensors(outputs, nout), ins = tensors(inputs, nin), gouts;
    if (grad_outputs)
      for (int64_t i = 0; i < nout; i++) gouts.push_back(grad_outputs[i] ? T(grad_outputs[i]) : at::Tensor());
    auto r = torch::autograd::grad(outs, ins, gouts, retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt,
                                   create_graph != 0, /*allow_unused=*/true);
    for (int64_t i = 0; i < nin; i++) grads[i] = r[i].defined() ? wrap(r[i]) : nullptr;
  })
}

} // extern "C"

// ---- gradient checkpointing --------------------------------------------------------------
namespace {
// Owns the caller's closure; released when the autograd graph that saved it is freed.
struct CheckpointClosure : torch::CustomClassHolder {
  ct_checkpoint_fn fn;
  void *ctx;
  void (*release)(void *);
  bool autocast_cpu, autocast_cuda;
  at::ScalarType autocast_cpu_dtype, autocast_cuda_dtype;
  ~CheckpointClosure() override {
    if (release) release(ctx);
  }
  at::Tensor run(const std::vector<at::Tensor> &inputs) const {
    std::vector<ct_tensor> handles;
    for (auto &t : inputs) handles.push_back(reinterpret_cast<ct_tensor>(const_cast<at::Tensor *>(&t)));
    ct_tensor out = nullptr;
    if (ct_error err = fn(ctx, handles.data(), (int64_t)handles.size(), &out)) {
      std::string msg(err);
      free(err);
      throw std::runtime_error("checkpointed function failed: " + msg);
    }
    at::Tensor result = T(out);
    delete reinterpret_cast<at::Tensor *>(out);
    return result;
  }
};

struct AutocastState {
  bool cpu, cuda;
  at::ScalarType cpu_dtype, cuda_dtype;
  static AutocastState current() {
    return {at::autocast::is_autocast_enabled(at::kCPU), at::autocast::is_autocast_enabled(at::kCUDA),
            at::autocast::get_autocast_dtype(at::kCPU), at::autocast::get_autocast_dtype(at::kCUDA)};
  }
  void apply() const {
    at::autocast::set_autocast_enabled(at::kCPU, cpu);
    at::autocast::set_autocast_enabled(at::kCUDA, cuda);
    at::autocast::set_autocast_dtype(at::kCPU, cpu_dtype);
    at::autocast::set_autocast_dtype(at::kCUDA, cuda_dtype);
  }
};

struct CheckpointFunction : torch::autograd::Function<CheckpointFunction> {
  // inputs arrive as a TensorList so that autograd records each of them as an input.
  static variable_list forward(AutogradContext *ctx, c10::intrusive_ptr<CheckpointClosure> closure,
                               at::TensorList inputs) {
    // Function::apply already disables grad mode here: nothing inside is recorded.
    auto ac = AutocastState::current();
    closure->autocast_cpu = ac.cpu;
    closure->autocast_cuda = ac.cuda;
    closure->autocast_cpu_dtype = ac.cpu_dtype;
    closure->autocast_cuda_dtype = ac.cuda_dtype;
    at::Tensor out = closure->run(inputs.vec());
    ctx->save_for_backward(inputs.vec());
    ctx->saved_data["closure"] = c10::IValue::make_capsule(closure);
    return {out};
  }
  static variable_list backward(AutogradContext *ctx, variable_list grad_outputs) {
    auto closure = c10::static_intrusive_pointer_cast<CheckpointClosure>(ctx->saved_data["closure"].toCapsule());
    variable_list saved = ctx->get_saved_variables();
    std::vector<at::Tensor> detached;
    for (auto &t : saved) detached.push_back(t.detach().requires_grad_(t.requires_grad()));
    auto outer = AutocastState::current();
    AutocastState{closure->autocast_cpu, closure->autocast_cuda, closure->autocast_cpu_dtype,
                  closure->autocast_cuda_dtype}
        .apply();
    at::Tensor out;
    {
      at::AutoGradMode enable(true);
      out = closure->run(detached);
    }
    outer.apply();
    // Accumulates into parameters used inside the function and into the detached inputs.
    if (out.requires_grad()) torch::autograd::backward({out}, {grad_outputs[0]});
    variable_list grads;
    grads.push_back(at::Tensor()); // the closure argument
    for (auto &t : detached) grads.push_back(t.requires_grad() ? t.grad() : at::Tensor());
    return grads;
  }
};
} // namespace

extern "C" ct_error ct_checkpoint(ct_checkpoint_fn fn, void *ctx, void (*release)(void *), const ct_tensor *inputs,
                                  int64_t n, ct_tensor *out) {
  auto closure = c10::make_intrusive<CheckpointClosure>();
  closure->fn = fn;
  closure->ctx = ctx;
  closure->release = release;
  CT_TRY({
    auto list = tensors(inputs, n);
    auto r = CheckpointFunction::apply(closure, at::TensorList(list));
    *out = wrap(r[0]);
  })
}

// ---- autocast ------------------------------------------------------------------------------
static at::DeviceType autocast_device(int32_t t) { return t == CT_DEVICE_CUDA ? at::kCUDA : at::kCPU; }

extern "C" {

ct_error ct_autocast_set_enabled(int32_t device_type, int32_t enabled) {
  CT_TRY(at::autocast::set_autocast_enabled(autocast_device(device_type), enabled != 0))
}
int32_t ct_autocast_is_enabled(int32_t device_type) {
  return at::autocast::is_autocast_enabled(autocast_device(device_type)) ? 1 : 0;
}
ct_error ct_autocast_set_dtype(int32_t device_type, int32_t dtype) {
  CT_TRY(at::autocast::set_autocast_dtype(autocast_device(device_type), (at::ScalarType)dtype))
}
void ct_autocast_increment_nesting(void) { at::autocast::increment_nesting(); }
void ct_autocast_decrement_nesting(void) {
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
}

// ---- optimiser kernels ---------------------------------------------------------------------
} // extern "C"

// The gradients that exist (parameters without one are skipped, as PyTorch does).
static std::vector<at::Tensor> defined_grads(const ct_tensor *params, int64_t n) {
  std::vector<at::Tensor> grads;
  for (int64_t i = 0; i < n; i++)
    if (T(params[i]).grad().defined()) grads.push_back(T(params[i]).grad());
  return grads;
}

extern "C" {

ct_error ct_fused_adamw_(const ct_tensor *params, const ct_tensor *grads, const ct_tensor *exp_avgs,
                         const ct_tensor *exp_avg_sqs, const ct_tensor *steps, int64_t n, double lr, double beta1,
                         double beta2, double weight_decay, double eps) {
  CT_TRY({
    at::AutoGradMode no_grad(false);
    auto ps = tensors(params, n), gs = tensors(grads, n), m = tensors(exp_avgs, n), v = tensors(exp_avg_sqs, n),
         st = tensors(steps, n);
    at::_foreach_add_(st, 1); // as torch.optim.AdamW does before calling the fused kernel
    at::_fused_adamw_(ps, gs, m, v, {}, st, lr, beta1, beta2, weight_decay, eps, /*amsgrad=*/false,
                      /*maximize=*/false);
  })
}
ct_error ct_clip_grad_norm_(const ct_tensor *params, int64_t n, double max_norm, double *total_norm) {
  CT_TRY({
    at::AutoGradMode no_grad(false);
    std::vector<at::Tensor> grads = defined_grads(params, n);
    if (grads.empty()) {
      *total_norm = 0;
      return nullptr;
    }
    auto norms = at::_foreach_norm(grads, 2);
    at::Tensor total = at::linalg_vector_norm(at::stack(norms), 2);
    at::Tensor coef = at::clamp(max_norm / (total + 1e-6), c10::nullopt, 1.0);
    at::_foreach_mul_(grads, coef);
    *total_norm = total.item<double>();
  })
}
ct_error ct_unscale_grads_(const ct_tensor *params, int64_t n, double inv_scale, int32_t *found_inf) {
  CT_TRY({
    at::AutoGradMode no_grad(false);
    std::vector<at::Tensor> grads = defined_grads(params, n);
    *found_inf = 0;
    if (grads.empty()) return nullptr;
    auto opts = grads[0].options().dtype(at::kFloat);
    at::Tensor found = at::zeros({1}, opts), inv = at::full({1}, inv_scale, opts);
    at::_amp_foreach_non_finite_check_and_unscale_(grads, found, inv);
    *found_inf = found.item<float>() != 0;
  })
}

} // extern "C"
