// Elementwise math, in-place updates, linear algebra and reductions.
#include "shim.h"

#define BINARY(name, expr)                                                                 \
  ct_error ct_##name(ct_tensor a, ct_tensor b, ct_tensor *out) { CT_TRY(*out = wrap(expr)) }
#define SCALAR(name, expr)                                                                 \
  ct_error ct_##name(ct_tensor a, ct_scalar s, ct_tensor *out) { CT_TRY(*out = wrap(expr)) }
#define UNARY(name, expr)                                                                  \
  ct_error ct_##name(ct_tensor a, ct_tensor *out) { CT_TRY(*out = wrap(expr)) }

static c10::optional<at::ScalarType> optional_dtype(int32_t dtype) {
  return dtype < 0 ? c10::nullopt : c10::optional<at::ScalarType>((at::ScalarType)dtype);
}
static at::OptionalIntArrayRef optional_dims(const int64_t *d, int64_t n) {
  return n == 0 ? at::OptionalIntArrayRef() : at::OptionalIntArrayRef(dims(d, n));
}

// op: 0 eq, 1 ne, 2 lt, 3 le, 4 gt, 5 ge; `Other` is a tensor or a scalar.
template <typename Other> static at::Tensor compare(const at::Tensor &x, const Other &y, int32_t op) {
  switch (op) {
  case 0: return at::eq(x, y);
  case 1: return at::ne(x, y);
  case 2: return at::lt(x, y);
  case 3: return at::le(x, y);
  case 4: return at::gt(x, y);
  case 5: return at::ge(x, y);
  default: throw std::invalid_argument("compare: unknown op " + std::to_string(op));
  }
}

extern "C" {

BINARY(add, T(a) + T(b))
BINARY(sub, T(a) - T(b))
BINARY(mul, T(a) * T(b))
BINARY(div, T(a) / T(b))
BINARY(pow, at::pow(T(a), T(b)))
BINARY(maximum, at::maximum(T(a), T(b)))
BINARY(minimum, at::minimum(T(a), T(b)))
BINARY(logical_and, at::logical_and(T(a), T(b)))
BINARY(logical_or, at::logical_or(T(a), T(b)))
SCALAR(add_scalar, at::add(T(a), S(s)))
SCALAR(sub_scalar, at::sub(T(a), S(s)))
SCALAR(rsub_scalar, at::rsub(T(a), S(s)))
SCALAR(mul_scalar, at::mul(T(a), S(s)))
SCALAR(div_scalar, at::div(T(a), S(s)))
SCALAR(pow_scalar, at::pow(T(a), S(s)))
SCALAR(remainder_scalar, at::remainder(T(a), S(s)))
SCALAR(floor_divide_scalar, at::floor_divide(T(a), S(s)))
UNARY(neg, at::neg(T(a)))
UNARY(abs, at::abs(T(a)))
UNARY(exp, at::exp(T(a)))
UNARY(log, at::log(T(a)))
UNARY(log10, at::log10(T(a)))
UNARY(sqrt, at::sqrt(T(a)))
UNARY(rsqrt, at::rsqrt(T(a)))
UNARY(sin, at::sin(T(a)))
UNARY(cos, at::cos(T(a)))
UNARY(tanh, at::tanh(T(a)))
UNARY(sigmoid, at::sigmoid(T(a)))
UNARY(relu, at::relu(T(a)))
UNARY(silu, at::silu(T(a)))
UNARY(square, at::square(T(a)))
UNARY(reciprocal, at::reciprocal(T(a)))
UNARY(floor, at::floor(T(a)))
UNARY(round, at::round(T(a)))
UNARY(sign, at::sign(T(a)))
UNARY(logical_not, at::logical_not(T(a)))
UNARY(isfinite, at::isfinite(T(a)))
UNARY(isnan, at::isnan(T(a)))

ct_error ct_gelu(ct_tensor a, int32_t approximate, ct_tensor *out) {
  CT_TRY(*out = wrap(at::gelu(T(a), approximate ? "tanh" : "none")))
}
ct_error ct_clamp(ct_tensor a, int32_t has_min, ct_scalar min, int32_t has_max, ct_scalar max, ct_tensor *out) {
  CT_TRY({
    c10::optional<at::Scalar> lo = has_min ? c10::optional<at::Scalar>(S(min)) : c10::nullopt;
    c10::optional<at::Scalar> hi = has_max ? c10::optional<at::Scalar>(S(max)) : c10::nullopt;
    *out = wrap(at::clamp(T(a), lo, hi));
  })
}
ct_error ct_compare(ct_tensor a, ct_tensor b, int32_t op, ct_tensor *out) { CT_TRY(*out = wrap(compare(T(a), T(b), op))) }
ct_error ct_compare_scalar(ct_tensor a, ct_scalar s, int32_t op, ct_tensor *out) {
  CT_TRY(*out = wrap(compare(T(a), S(s), op)))
}
ct_error ct_where(ct_tensor cond, ct_tensor a, ct_tensor b, ct_tensor *out) {
  CT_TRY(*out = wrap(at::where(T(cond), T(a), T(b))))
}
ct_error ct_masked_fill(ct_tensor a, ct_tensor mask, ct_scalar value, ct_tensor *out) {
  CT_TRY(*out = wrap(at::masked_fill(T(a), T(mask), S(value))))
}
ct_error ct_triu(ct_tensor a, int64_t diagonal, ct_tensor *out) { CT_TRY(*out = wrap(at::triu(T(a), diagonal))) }
ct_error ct_tril(ct_tensor a, int64_t diagonal, ct_tensor *out) { CT_TRY(*out = wrap(at::tril(T(a), diagonal))) }

// ---- in place --------------------------------------------------------------------------
ct_error ct_add_(ct_tensor a, ct_tensor b, ct_scalar alpha) { CT_TRY(T(a).add_(T(b), S(alpha))) }
ct_error ct_mul_scalar_(ct_tensor a, ct_scalar s) { CT_TRY(T(a).mul_(S(s))) }
ct_error ct_zero_(ct_tensor a) { CT_TRY(T(a).zero_()) }
ct_error ct_fill_(ct_tensor a, ct_scalar value) { CT_TRY(T(a).fill_(S(value))) }

// ---- linear algebra ----------------------------------------------------------------------
BINARY(matmul, at::matmul(T(a), T(b)))
BINARY(bmm, at::bmm(T(a), T(b)))
BINARY(outer, at::outer(T(a), T(b)))
ct_error ct_einsum(const char *equation, const ct_tensor *operands, int64_t n, ct_tensor *out) {
  CT_TRY(*out = wrap(at::einsum(equation, tensors(operands, n))))
}
ct_error ct_linear(ct_tensor x, ct_tensor weight, ct_tensor bias, ct_tensor *out) {
  CT_TRY(*out = wrap(at::linear(T(x), T(weight), opt(bias))))
}

// ---- reductions --------------------------------------------------------------------------
ct_error ct_sum(ct_tensor a, const int64_t *d, int64_t n, int32_t keepdim, int32_t dtype, ct_tensor *out) {
  CT_TRY(*out = wrap(at::sum(T(a), optional_dims(d, n), keepdim != 0, optional_dtype(dtype))))
}
ct_error ct_mean(ct_tensor a, const int64_t *d, int64_t n, int32_t keepdim, ct_tensor *out) {
  CT_TRY(*out = wrap(at::mean(T(a), optional_dims(d, n), keepdim != 0)))
}
ct_error ct_amax(ct_tensor a, const int64_t *d, int64_t n, int32_t keepdim, ct_tensor *out) {
  CT_TRY(*out = wrap(at::amax(T(a), dims(d, n), keepdim != 0)))
}
ct_error ct_amin(ct_tensor a, const int64_t *d, int64_t n, int32_t keepdim, ct_tensor *out) {
  CT_TRY(*out = wrap(at::amin(T(a), dims(d, n), keepdim != 0)))
}
ct_error ct_var(ct_tensor a, const int64_t *d, int64_t n, int64_t correction, int32_t keepdim, ct_tensor *out) {
  CT_TRY(*out = wrap(at::var(T(a), optional_dims(d, n), at::Scalar(correction), keepdim != 0)))
}
ct_error ct_max_dim(ct_tensor a, int64_t dim, int32_t keepdim, ct_tensor *values, ct_tensor *indices) {
  CT_TRY({
    auto r = at::max(T(a), dim, keepdim != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
  })
}
ct_error ct_min_dim(ct_tensor a, int64_t dim, int32_t keepdim, ct_tensor *values, ct_tensor *indices) {
  CT_TRY({
    auto r = at::min(T(a), dim, keepdim != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
  })
}
ct_error ct_argmax(ct_tensor a, int64_t dim, int32_t keepdim, ct_tensor *out) {
  CT_TRY(*out = wrap(at::argmax(T(a), dim, keepdim != 0)))
}
ct_error ct_logsumexp(ct_tensor a, const int64_t *d, int64_t n, int32_t keepdim, ct_tensor *out) {
  CT_TRY(*out = wrap(at::logsumexp(T(a), dims(d, n), keepdim != 0)))
}
ct_error ct_cumsum(ct_tensor a, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(at::cumsum(T(a), dim))) }
ct_error ct_norm(ct_tensor a, double p, const int64_t *d, int64_t n, int32_t keepdim, ct_tensor *out) {
  CT_TRY(*out = wrap(n == 0 ? at::norm(T(a), p) : at::norm(T(a), p, dims(d, n), keepdim != 0)))
}
UNARY(all, at::all(T(a)))
UNARY(any, at::any(T(a)))
ct_error ct_topk(ct_tensor a, int64_t k, int64_t dim, int32_t largest, int32_t sorted, ct_tensor *values,
                 ct_tensor *indices) {
  CT_TRY({
    auto r = at::topk(T(a), k, dim, largest != 0, sorted != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
  })
}
ct_error ct_sort(ct_tensor a, int64_t dim, int32_t descending, ct_tensor *values, ct_tensor *indices) {
  CT_TRY({
    auto r = at::sort(T(a), /*stable=*/true, dim, descending != 0);
    *values = wrap(std::get<0>(r));
    *indices = wrap(std::get<1>(r));
  })
}
ct_error ct_softmax(ct_tensor a, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(at::softmax(T(a), dim))) }
ct_error ct_log_softmax(ct_tensor a, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(at::log_softmax(T(a), dim))) }

} // extern "C"
