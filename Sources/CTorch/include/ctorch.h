// CTorch: a thin C ABI over libtorch (ATen + autograd), one function per operation.
//
// Conventions (as in tch-rs):
//  - Every fallible function returns `ct_error`: NULL on success, otherwise a malloc'd,
//    NUL-terminated message (libtorch's own text) that the caller frees with ct_error_free.
//    C++ exceptions never cross this boundary.
//  - Results come back through out-parameters. A `ct_tensor` is an opaque owning handle
//    (a heap-allocated at::Tensor); free it exactly once with ct_tensor_free.
//  - Optional tensor arguments may be NULL. Dtypes are c10::ScalarType codes, devices are
//    (type, index) pairs with type 0 = CPU, 1 = CUDA.
#pragma once
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct ct_tensor_s *ct_tensor;
typedef struct ct_generator_s *ct_generator;
typedef char *ct_error;

/// A number with its kind, so that `ids + 1` stays integer and `x * 0.5` stays float.
typedef struct {
  double f;
  int64_t i;
  int32_t kind; // 0 floating, 1 integer, 2 boolean (in i)
} ct_scalar;

enum { CT_DEVICE_CPU = 0, CT_DEVICE_CUDA = 1, CT_DEVICE_META = 2 };
enum { CT_REDUCTION_NONE = 0, CT_REDUCTION_MEAN = 1, CT_REDUCTION_SUM = 2 };

void ct_error_free(ct_error err);

// ---- lifetime and introspection ----------------------------------------------------
void ct_tensor_free(ct_tensor t);
ct_error ct_shallow_clone(ct_tensor t, ct_tensor *out);
ct_error ct_dim(ct_tensor t, int64_t *out);
/// Writes min(dim, cap) sizes.
ct_error ct_sizes(ct_tensor t, int64_t *sizes, int64_t cap);
ct_error ct_strides(ct_tensor t, int64_t *strides, int64_t cap);
ct_error ct_numel(ct_tensor t, int64_t *out);
ct_error ct_dtype(ct_tensor t, int32_t *out);
ct_error ct_device(ct_tensor t, int32_t *type, int32_t *index);
ct_error ct_is_contiguous(ct_tensor t, int32_t *out);
ct_error ct_defined(ct_tensor t, int32_t *out);
ct_error ct_item_double(ct_tensor t, double *out);
ct_error ct_item_int64(ct_tensor t, int64_t *out);
/// Copies the tensor's elements (converted to contiguous CPU) into dst; nbytes must match.
ct_error ct_copy_to_buffer(ct_tensor t, void *dst, size_t nbytes);
ct_error ct_to_string(ct_tensor t, char **out);
ct_error ct_data_ptr(ct_tensor t, void **out);

// ---- runtime -------------------------------------------------------------------------
void ct_set_num_threads(int32_t n);
int32_t ct_get_num_threads(void);
void ct_set_num_interop_threads(int32_t n);
void ct_manual_seed(uint64_t seed);
/// Loads libtorch_cuda (if present next to libtorch_cpu) so CUDA kernels register.
ct_error ct_cuda_load(void);
int32_t ct_cuda_is_available(void);
int32_t ct_cuda_device_count(void);
ct_error ct_cuda_synchronize(int32_t index);
/// This thread's default device (torch.set_default_device, per thread): where ct_from_buffer
/// puts its copy and what the Swift creation functions default to. CPU until set.
void ct_set_default_device(int32_t type, int32_t index);
void ct_get_default_device(int32_t *type, int32_t *index);
const char *ct_torch_version(void);

// ---- generators ----------------------------------------------------------------------
ct_error ct_generator_new(uint64_t seed, int32_t device_type, int32_t device_index, ct_generator *out);
void ct_generator_free(ct_generator g);
ct_error ct_generator_get_state(ct_generator g, ct_tensor *out);
ct_error ct_generator_set_state(ct_generator g, ct_tensor state);
ct_error ct_default_generator_get_state(ct_tensor *out);
ct_error ct_default_generator_set_state(ct_tensor state);

// ---- creation ------------------------------------------------------------------------
ct_error ct_empty(const int64_t *sizes, int64_t ndim, int32_t dtype, int32_t dev_type, int32_t dev_index, ct_tensor *out);
ct_error ct_zeros(const int64_t *sizes, int64_t ndim, int32_t dtype, int32_t dev_type, int32_t dev_index, ct_tensor *out);
ct_error ct_ones(const int64_t *sizes, int64_t ndim, int32_t dtype, int32_t dev_type, int32_t dev_index, ct_tensor *out);
ct_error ct_full(const int64_t *sizes, int64_t ndim, ct_scalar value, int32_t dtype, int32_t dev_type, int32_t dev_index, ct_tensor *out);
ct_error ct_arange(ct_scalar start, ct_scalar end, ct_scalar step, int32_t dtype, int32_t dev_type, int32_t dev_index, ct_tensor *out);
ct_error ct_linspace(double start, double end, int64_t steps, int32_t dtype, int32_t dev_type, int32_t dev_index, ct_tensor *out);
ct_error ct_randn(const int64_t *sizes, int64_t ndim, int32_t dtype, int32_t dev_type, int32_t dev_index, ct_generator g, ct_tensor *out);
ct_error ct_rand(const int64_t *sizes, int64_t ndim, int32_t dtype, int32_t dev_type, int32_t dev_index, ct_generator g, ct_tensor *out);
ct_error ct_randint(int64_t low, int64_t high, const int64_t *sizes, int64_t ndim, int32_t dev_type, int32_t dev_index, ct_generator g, ct_tensor *out);
ct_error ct_randperm(int64_t n, ct_generator g, ct_tensor *out);
/// Copies `data` (contiguous, of `dtype`) into a new tensor on this thread's default device.
ct_error ct_from_buffer(const void *data, const int64_t *sizes, int64_t ndim, int32_t dtype, ct_tensor *out);
/// Wraps `data` without copying; `deleter(ctx)` runs when the last tensor using it dies.
ct_error ct_from_blob(void *data, const int64_t *sizes, int64_t ndim, int32_t dtype,
                      void (*deleter)(void *ctx), void *ctx, ct_tensor *out);
ct_error ct_scalar_tensor(ct_scalar value, int32_t dtype, int32_t dev_type, int32_t dev_index, ct_tensor *out);
ct_error ct_eye(int64_t n, int32_t dtype, ct_tensor *out);
ct_error ct_hann_window(int64_t length, int32_t periodic, int32_t dtype, ct_tensor *out);
ct_error ct_zeros_like(ct_tensor t, ct_tensor *out);
ct_error ct_ones_like(ct_tensor t, ct_tensor *out);
ct_error ct_full_like(ct_tensor t, ct_scalar value, ct_tensor *out);

// ---- conversion ----------------------------------------------------------------------
ct_error ct_to(ct_tensor t, int32_t dev_type, int32_t dev_index, int32_t dtype, int32_t non_blocking, ct_tensor *out);
ct_error ct_to_dtype(ct_tensor t, int32_t dtype, ct_tensor *out);
ct_error ct_clone(ct_tensor t, ct_tensor *out);
ct_error ct_contiguous(ct_tensor t, ct_tensor *out);
ct_error ct_copy_(ct_tensor dst, ct_tensor src);

// ---- elementwise ---------------------------------------------------------------------
ct_error ct_add(ct_tensor a, ct_tensor b, ct_tensor *out);
ct_error ct_sub(ct_tensor a, ct_tensor b, ct_tensor *out);
ct_error ct_mul(ct_tensor a, ct_tensor b, ct_tensor *out);
ct_error ct_div(ct_tensor a, ct_tensor b, ct_tensor *out);
ct_error ct_pow(ct_tensor a, ct_tensor b, ct_tensor *out);
ct_error ct_maximum(ct_tensor a, ct_tensor b, ct_tensor *out);
ct_error ct_minimum(ct_tensor a, ct_tensor b, ct_tensor *out);
ct_error ct_add_scalar(ct_tensor a, ct_scalar s, ct_tensor *out);
ct_error ct_sub_scalar(ct_tensor a, ct_scalar s, ct_tensor *out);
ct_error ct_rsub_scalar(ct_tensor a, ct_scalar s, ct_tensor *out);
ct_error ct_mul_scalar(ct_tensor a, ct_scalar s, ct_tensor *out);
ct_error ct_div_scalar(ct_tensor a, ct_scalar s, ct_tensor *out);
ct_error ct_pow_scalar(ct_tensor a, ct_scalar s, ct_tensor *out);
ct_error ct_remainder_scalar(ct_tensor a, ct_scalar s, ct_tensor *out);
ct_error ct_floor_divide_scalar(ct_tensor a, ct_scalar s, ct_tensor *out);
ct_error ct_neg(ct_tensor a, ct_tensor *out);
ct_error ct_abs(ct_tensor a, ct_tensor *out);
ct_error ct_exp(ct_tensor a, ct_tensor *out);
ct_error ct_log(ct_tensor a, ct_tensor *out);
ct_error ct_log10(ct_tensor a, ct_tensor *out);
ct_error ct_sqrt(ct_tensor a, ct_tensor *out);
ct_error ct_rsqrt(ct_tensor a, ct_tensor *out);
ct_error ct_sin(ct_tensor a, ct_tensor *out);
ct_error ct_cos(ct_tensor a, ct_tensor *out);
ct_error ct_tanh(ct_tensor a, ct_tensor *out);
ct_error ct_sigmoid(ct_tensor a, ct_tensor *out);
ct_error ct_relu(ct_tensor a, ct_tensor *out);
ct_error ct_silu(ct_tensor a, ct_tensor *out);
/// approximate: 0 exact (erf), 1 tanh.
ct_error ct_gelu(ct_tensor a, int32_t approximate, ct_tensor *out);
ct_error ct_square(ct_tensor a, ct_tensor *out);
ct_error ct_reciprocal(ct_tensor a, ct_tensor *out);
ct_error ct_floor(ct_tensor a, ct_tensor *out);
ct_error ct_round(ct_tensor a, ct_tensor *out);
ct_error ct_sign(ct_tensor a, ct_tensor *out);
ct_error ct_logical_not(ct_tensor a, ct_tensor *out);
ct_error ct_logical_and(ct_tensor a, ct_tensor b, ct_tensor *out);
ct_error ct_logical_or(ct_tensor a, ct_tensor b, ct_tensor *out);
ct_error ct_isfinite(ct_tensor a, ct_tensor *out);
ct_error ct_isnan(ct_tensor a, ct_tensor *out);
/// has_min/has_max select which bounds apply.
ct_error ct_clamp(ct_tensor a, int32_t has_min, ct_scalar min, int32_t has_max, ct_scalar max, ct_tensor *out);
/// op: 0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge
ct_error ct_compare(ct_tensor a, ct_tensor b, int32_t op, ct_tensor *out);
ct_error ct_compare_scalar(ct_tensor a, ct_scalar s, int32_t op, ct_tensor *out);
ct_error ct_where(ct_tensor cond, ct_tensor a, ct_tensor b, ct_tensor *out);
ct_error ct_masked_fill(ct_tensor a, ct_tensor mask, ct_scalar value, ct_tensor *out);
ct_error ct_triu(ct_tensor a, int64_t diagonal, ct_tensor *out);
ct_error ct_tril(ct_tensor a, int64_t diagonal, ct_tensor *out);

// ---- in place (optimisers, buffers) ----------------------------------------------------
ct_error ct_add_(ct_tensor a, ct_tensor b, ct_scalar alpha);
ct_error ct_mul_scalar_(ct_tensor a, ct_scalar s);
ct_error ct_zero_(ct_tensor a);
ct_error ct_fill_(ct_tensor a, ct_scalar value);
ct_error ct_normal_(ct_tensor a, double mean, double std, ct_generator g);
ct_error ct_uniform_(ct_tensor a, double low, double high, ct_generator g);

// ---- linear algebra --------------------------------------------------------------------
ct_error ct_matmul(ct_tensor a, ct_tensor b, ct_tensor *out);
ct_error ct_bmm(ct_tensor a, ct_tensor b, ct_tensor *out);
ct_error ct_einsum(const char *equation, const ct_tensor *operands, int64_t n, ct_tensor *out);
ct_error ct_linear(ct_tensor x, ct_tensor weight, ct_tensor bias, ct_tensor *out);
ct_error ct_outer(ct_tensor a, ct_tensor b, ct_tensor *out);

// ---- reductions ------------------------------------------------------------------------
/// dims == NULL / ndims == 0 reduces over everything. dtype < 0: keep the input's.
ct_error ct_sum(ct_tensor a, const int64_t *dims, int64_t ndims, int32_t keepdim, int32_t dtype, ct_tensor *out);
ct_error ct_mean(ct_tensor a, const int64_t *dims, int64_t ndims, int32_t keepdim, ct_tensor *out);
ct_error ct_amax(ct_tensor a, const int64_t *dims, int64_t ndims, int32_t keepdim, ct_tensor *out);
ct_error ct_amin(ct_tensor a, const int64_t *dims, int64_t ndims, int32_t keepdim, ct_tensor *out);
ct_error ct_var(ct_tensor a, const int64_t *dims, int64_t ndims, int64_t correction, int32_t keepdim, ct_tensor *out);
ct_error ct_max_dim(ct_tensor a, int64_t dim, int32_t keepdim, ct_tensor *values, ct_tensor *indices);
ct_error ct_min_dim(ct_tensor a, int64_t dim, int32_t keepdim, ct_tensor *values, ct_tensor *indices);
ct_error ct_argmax(ct_tensor a, int64_t dim, int32_t keepdim, ct_tensor *out);
ct_error ct_logsumexp(ct_tensor a, const int64_t *dims, int64_t ndims, int32_t keepdim, ct_tensor *out);
ct_error ct_cumsum(ct_tensor a, int64_t dim, ct_tensor *out);
ct_error ct_norm(ct_tensor a, double p, const int64_t *dims, int64_t ndims, int32_t keepdim, ct_tensor *out);
ct_error ct_all(ct_tensor a, ct_tensor *out);
ct_error ct_any(ct_tensor a, ct_tensor *out);
ct_error ct_topk(ct_tensor a, int64_t k, int64_t dim, int32_t largest, int32_t sorted, ct_tensor *values, ct_tensor *indices);
ct_error ct_sort(ct_tensor a, int64_t dim, int32_t descending, ct_tensor *values, ct_tensor *indices);
ct_error ct_softmax(ct_tensor a, int64_t dim, ct_tensor *out);
ct_error ct_log_softmax(ct_tensor a, int64_t dim, ct_tensor *out);

// ---- shape -----------------------------------------------------------------------------
ct_error ct_reshape(ct_tensor a, const int64_t *sizes, int64_t ndim, ct_tensor *out);
ct_error ct_view(ct_tensor a, const int64_t *sizes, int64_t ndim, ct_tensor *out);
ct_error ct_permute(ct_tensor a, const int64_t *dims, int64_t ndim, ct_tensor *out);
ct_error ct_transpose(ct_tensor a, int64_t d0, int64_t d1, ct_tensor *out);
ct_error ct_expand(ct_tensor a, const int64_t *sizes, int64_t ndim, ct_tensor *out);
ct_error ct_repeat(ct_tensor a, const int64_t *repeats, int64_t ndim, ct_tensor *out);
ct_error ct_squeeze(ct_tensor a, int64_t dim, ct_tensor *out);
ct_error ct_unsqueeze(ct_tensor a, int64_t dim, ct_tensor *out);
ct_error ct_flatten(ct_tensor a, int64_t start, int64_t end, ct_tensor *out);
ct_error ct_flip(ct_tensor a, const int64_t *dims, int64_t ndims, ct_tensor *out);
ct_error ct_repeat_interleave(ct_tensor a, int64_t repeats, int64_t dim, ct_tensor *out);

// ---- indexing and joining ----------------------------------------------------------------
ct_error ct_slice(ct_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step, ct_tensor *out);
ct_error ct_select(ct_tensor a, int64_t dim, int64_t index, ct_tensor *out);
ct_error ct_index_select(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor *out);
/// Advanced indexing a[idx] along dim 0 with a bool mask or an integer tensor.
ct_error ct_index(ct_tensor a, ct_tensor index, ct_tensor *out);
ct_error ct_gather(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor *out);
ct_error ct_scatter(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor src, ct_tensor *out);
ct_error ct_index_put_(ct_tensor a, ct_tensor index, ct_tensor values);
ct_error ct_cat(const ct_tensor *tensors, int64_t n, int64_t dim, ct_tensor *out);
ct_error ct_stack(const ct_tensor *tensors, int64_t n, int64_t dim, ct_tensor *out);
/// mode: 0 constant, 1 reflect, 2 replicate. pads as in torch.nn.functional.pad (last dim first).
ct_error ct_pad(ct_tensor a, const int64_t *pads, int64_t npads, int32_t mode, double value, ct_tensor *out);
ct_error ct_nonzero(ct_tensor a, ct_tensor *out);

// ---- neural network ops ------------------------------------------------------------------
ct_error ct_embedding(ct_tensor weight, ct_tensor indices, ct_tensor *out);
ct_error ct_layer_norm(ct_tensor x, const int64_t *shape, int64_t nshape, ct_tensor weight, ct_tensor bias, double eps, ct_tensor *out);
ct_error ct_rms_norm(ct_tensor x, const int64_t *shape, int64_t nshape, ct_tensor weight, double eps, ct_tensor *out);
ct_error ct_conv1d(ct_tensor x, ct_tensor weight, ct_tensor bias, int64_t stride, int64_t padding, int64_t dilation, int64_t groups, ct_tensor *out);
ct_error ct_avg_pool1d(ct_tensor x, int64_t kernel, int64_t stride, int64_t padding, int32_t ceil_mode, int32_t count_include_pad, ct_tensor *out);
ct_error ct_max_pool1d(ct_tensor x, int64_t kernel, int64_t stride, int64_t padding, int32_t ceil_mode, ct_tensor *out);
ct_error ct_dropout(ct_tensor x, double p, int32_t train, ct_tensor *out);
/// scale < 0: 1/sqrt(head_dim). mask: bool (true = attend) or additive float; may be NULL.
ct_error ct_scaled_dot_product_attention(ct_tensor q, ct_tensor k, ct_tensor v, ct_tensor mask, double dropout_p,
                                         int32_t is_causal, double scale, int32_t enable_gqa, ct_tensor *out);
ct_error ct_cross_entropy(ct_tensor logits, ct_tensor target, ct_tensor weight, int32_t reduction, int64_t ignore_index,
                          double label_smoothing, ct_tensor *out);
ct_error ct_mse_loss(ct_tensor a, ct_tensor b, int32_t reduction, ct_tensor *out);
/// CTC loss: log_probs (T, B, C) log-softmaxed; targets (B, S) padded int64; input_lengths and
/// target_lengths (B) int64. reduction as in cross_entropy (mean divides by target lengths first).
ct_error ct_ctc_loss(ct_tensor log_probs, ct_tensor targets, ct_tensor input_lengths, ct_tensor target_lengths,
                     int64_t blank, int32_t reduction, int32_t zero_infinity, ct_tensor *out);
/// window may be NULL. Returns a complex tensor (return_complex=true).
ct_error ct_stft(ct_tensor x, int64_t n_fft, int64_t hop, int64_t win_length, ct_tensor window, int32_t center,
                 int32_t pad_mode_reflect, int32_t normalized, int32_t onesided, ct_tensor *out);
ct_error ct_view_as_real(ct_tensor a, ct_tensor *out);
ct_error ct_complex_abs(ct_tensor a, ct_tensor *out);

// ---- autograd ------------------------------------------------------------------------------
ct_error ct_set_requires_grad(ct_tensor t, int32_t requires_grad);
ct_error ct_requires_grad(ct_tensor t, int32_t *out);
ct_error ct_is_leaf(ct_tensor t, int32_t *out);
/// grad may be NULL (scalar loss). retain_graph keeps the graph for a second backward.
ct_error ct_backward(ct_tensor t, ct_tensor grad, int32_t retain_graph);
/// *out is NULL when the tensor has no gradient.
ct_error ct_grad(ct_tensor t, ct_tensor *out);
ct_error ct_set_grad(ct_tensor t, ct_tensor grad);
/// Drops the .grad of every tensor (set_to_none, as PyTorch's zero_grad default).
ct_error ct_zero_grad(const ct_tensor *tensors, int64_t n);
ct_error ct_detach(ct_tensor t, ct_tensor *out);
ct_error ct_retain_grad(ct_tensor t);
int32_t ct_is_grad_enabled(void);
void ct_set_grad_enabled(int32_t enabled);
/// Gradients of outputs w.r.t. inputs (torch.autograd.grad). grads[i] NULL if unused.
ct_error ct_autograd_grad(const ct_tensor *outputs, int64_t nout, const ct_tensor *grad_outputs,
                          const ct_tensor *inputs, int64_t nin, int32_t retain_graph, int32_t create_graph,
                          ct_tensor *grads);

/// Gradient checkpointing: `fn(ctx, inputs, n, outputs_out)` computes one output tensor from n inputs.
/// Forward runs it without recording a graph; backward re-runs it with grad enabled.
/// fn returns NULL on success or a malloc'd message.
typedef ct_error (*ct_checkpoint_fn)(void *ctx, const ct_tensor *inputs, int64_t n, ct_tensor *out);
ct_error ct_checkpoint(ct_checkpoint_fn fn, void *ctx, void (*release)(void *ctx), const ct_tensor *inputs, int64_t n,
                       ct_tensor *out);

// ---- autocast ------------------------------------------------------------------------------
ct_error ct_autocast_set_enabled(int32_t device_type, int32_t enabled);
int32_t ct_autocast_is_enabled(int32_t device_type);
ct_error ct_autocast_set_dtype(int32_t device_type, int32_t dtype);
void ct_autocast_increment_nesting(void);
/// Clears the autocast weight cache when the outermost autocast region exits.
void ct_autocast_decrement_nesting(void);

// ---- optimiser kernels ---------------------------------------------------------------------
/// One fused AdamW step over n parameters (torch._fused_adamw_): step tensors are float scalars.
ct_error ct_fused_adamw_(const ct_tensor *params, const ct_tensor *grads, const ct_tensor *exp_avgs,
                         const ct_tensor *exp_avg_sqs, const ct_tensor *steps, int64_t n, double lr, double beta1,
                         double beta2, double weight_decay, double eps);
/// Total 2-norm of the gradients of `params` (skipping those without), and scales them in place
/// by min(1, max_norm / (total + 1e-6)) as torch.nn.utils.clip_grad_norm_ does. Returns the norm.
ct_error ct_clip_grad_norm_(const ct_tensor *params, int64_t n, double max_norm, double *total_norm);
/// Unscales gradients in place by inv_scale and reports whether any is inf/nan (fp16 loss scaling).
ct_error ct_unscale_grads_(const ct_tensor *params, int64_t n, double inv_scale, int32_t *found_inf);

// ---- distributed (c10d: TCPStore + Gloo) ---------------------------------------------
typedef struct ct_process_group_s *ct_process_group;
/// Joins (rank 0 with is_server: hosts) the TCPStore at host:port and builds a Gloo group over it.
ct_error ct_process_group_create(const char *host, int32_t port, int32_t rank, int32_t world_size, int32_t is_server,
                                 double timeout_seconds, ct_process_group *out);
void ct_process_group_free(ct_process_group pg);
ct_error ct_process_group_allreduce_sum(ct_process_group pg, ct_tensor t);
ct_error ct_process_group_broadcast(ct_process_group pg, ct_tensor t, int32_t root);
ct_error ct_process_group_barrier(ct_process_group pg);

#ifdef __cplusplus
}
#endif
