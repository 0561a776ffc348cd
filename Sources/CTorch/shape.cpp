// Shape manipulation, indexing and joining.
#include "shim.h"

extern "C" {

ct_error ct_reshape(ct_tensor a, const int64_t *s, int64_t n, ct_tensor *out) { CT_TRY(*out = wrap(T(a).reshape(dims(s, n)))) }
ct_error ct_view(ct_tensor a, const int64_t *s, int64_t n, ct_tensor *out) { CT_TRY(*out = wrap(T(a).view(dims(s, n)))) }
ct_error ct_permute(ct_tensor a, const int64_t *d, int64_t n, ct_tensor *out) { CT_TRY(*out = wrap(T(a).permute(dims(d, n)))) }
ct_error ct_transpose(ct_tensor a, int64_t d0, int64_t d1, ct_tensor *out) { CT_TRY(*out = wrap(T(a).transpose(d0, d1))) }
ct_error ct_expand(ct_tensor a, const int64_t *s, int64_t n, ct_tensor *out) { CT_TRY(*out = wrap(T(a).expand(dims(s, n)))) }
ct_error ct_repeat(ct_tensor a, const int64_t *r, int64_t n, ct_tensor *out) { CT_TRY(*out = wrap(T(a).repeat(dims(r, n)))) }
ct_error ct_squeeze(ct_tensor a, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(T(a).squeeze(dim))) }
ct_error ct_unsqueeze(ct_tensor a, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(T(a).unsqueeze(dim))) }
ct_error ct_flatten(ct_tensor a, int64_t start, int64_t end, ct_tensor *out) { CT_TRY(*out = wrap(T(a).flatten(start, end))) }
ct_error ct_flip(ct_tensor a, const int64_t *d, int64_t n, ct_tensor *out) { CT_TRY(*out = wrap(T(a).flip(dims(d, n)))) }
ct_error ct_repeat_interleave(ct_tensor a, int64_t repeats, int64_t dim, ct_tensor *out) {
  CT_TRY(*out = wrap(at::repeat_interleave(T(a), repeats, dim)))
}

ct_error ct_slice(ct_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step, ct_tensor *out) {
  CT_TRY(*out = wrap(T(a).slice(dim, start, end, step)))
}
ct_error ct_select(ct_tensor a, int64_t dim, int64_t index, ct_tensor *out) { CT_TRY(*out = wrap(T(a).select(dim, index))) }
ct_error ct_index_select(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor *out) {
  CT_TRY(*out = wrap(at::index_select(T(a), dim, T(index))))
}
ct_error ct_index(ct_tensor a, ct_tensor index, ct_tensor *out) {
  CT_TRY({
    c10::List<c10::optional<at::Tensor>> idx;
    idx.push_back(T(index));
    *out = wrap(at::index(T(a), idx));
  })
}
ct_error ct_gather(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor *out) {
  CT_TRY(*out = wrap(at::gather(T(a), dim, T(index))))
}
ct_error ct_scatter(ct_tensor a, int64_t dim, ct_tensor index, ct_tensor src, ct_tensor *out) {
  CT_TRY(*out = wrap(at::scatter(T(a), dim, T(index), T(src))))
}
ct_error ct_index_put_(ct_tensor a, ct_tensor index, ct_tensor values) {
  CT_TRY({
    c10::List<c10::optional<at::Tensor>> idx;
    idx.push_back(T(index));
    T(a).index_put_(idx, T(values));
  })
}
ct_error ct_cat(const ct_tensor *ts, int64_t n, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(at::cat(tensors(ts, n), dim))) }
ct_error ct_stack(const ct_tensor *ts, int64_t n, int64_t dim, ct_tensor *out) { CT_TRY(*out = wrap(at::stack(tensors(ts, n), dim))) }
ct_error ct_pad(ct_tensor a, const int64_t *pads, int64_t npads, int32_t mode, double value, ct_tensor *out) {
  CT_TRY({
    static const char *modes[] = {"constant", "reflect", "replicate"};
    if (mode < 0 || mode > 2) throw std::invalid_argument("pad: unknown mode " + std::to_string(mode));
    c10::optional<double> v = mode == 0 ? c10::optional<double>(value) : c10::nullopt;
    *out = wrap(at::pad(T(a), dims(pads, npads), modes[mode], v));
  })
}
ct_error ct_nonzero(ct_tensor a, ct_tensor *out) { CT_TRY(*out = wrap(at::nonzero(T(a)))) }

} // extern "C"
