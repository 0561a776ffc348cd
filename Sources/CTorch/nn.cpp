// Neural-network building blocks: embedding, norms, convolution, pooling, attention, losses, STFT.
#include "shim.h"

extern "C" {

ct_error ct_embedding(ct_tensor weight, ct_tensor indices, ct_tensor *out) {
  CT_TRY(*out = wrap(at::embedding(T(weight), T(indices))))
}
ct_error ct_layer_norm(ct_tensor x, const int64_t *shape, int64_t n, ct_tensor weight, ct_tensor bias, double eps,
                       ct_tensor *out) {
  CT_TRY(*out = wrap(at::layer_norm(T(x), dims(shape, n), opt(weight), opt(bias), eps)))
}
ct_error ct_rms_norm(ct_tensor x, const int64_t *shape, int64_t n, ct_tensor weight, double eps, ct_tensor *out) {
  CT_TRY(*out = wrap(at::rms_norm(T(x), dims(shape, n), opt(weight), eps)))
}
ct_error ct_conv1d(ct_tensor x, ct_tensor weight, ct_tensor bias, int64_t stride, int64_t padding, int64_t dilation,
                   int64_t groups, ct_tensor *out) {
  CT_TRY(*out = wrap(at::conv1d(T(x), T(weight), opt(bias), stride, padding, dilation, groups)))
}
ct_error ct_avg_pool1d(ct_tensor x, int64_t kernel, int64_t stride, int64_t padding, int32_t ceil_mode,
                       int32_t count_include_pad, ct_tensor *out) {
  CT_TRY(*out = wrap(at::avg_pool1d(T(x), kernel, stride, padding, ceil_mode != 0, count_include_pad != 0)))
}
ct_error ct_max_pool1d(ct_tensor x, int64_t kernel, int64_t stride, int64_t padding, int32_t ceil_mode, ct_tensor *out) {
  CT_TRY(*out = wrap(at::max_pool1d(T(x), kernel, stride, padding, 1, ceil_mode != 0)))
}
ct_error ct_dropout(ct_tensor x, double p, int32_t train, ct_tensor *out) {
  CT_TRY(*out = wrap(at::dropout(T(x), p, train != 0)))
}
ct_error ct_scaled_dot_product_attention(ct_tensor q, ct_tensor k, ct_tensor v, ct_tensor mask, double dropout_p,
                                         int32_t is_causal, double scale, int32_t enable_gqa, ct_tensor *out) {
  CT_TRY({
    c10::optional<double> s = scale < 0 ? c10::nullopt : c10::optional<double>(scale);
    *out = wrap(at::scaled_dot_product_attention(T(q), T(k), T(v), opt(mask), dropout_p, is_causal != 0, s,
                                                 enable_gqa != 0));
  })
}
ct_error ct_cross_entropy(ct_tensor logits, ct_tensor target, ct_tensor weight, int32_t reduction, int64_t ignore_index,
                          double label_smoothing, ct_tensor *out) {
  CT_TRY(*out = wrap(at::cross_entropy_loss(T(logits), T(target), opt(weight), reduction, ignore_index, label_smoothing)))
}
ct_error ct_mse_loss(ct_tensor a, ct_tensor b, int32_t reduction, ct_tensor *out) {
  CT_TRY(*out = wrap(at::mse_loss(T(a), T(b), reduction)))
}
ct_error ct_ctc_loss(ct_tensor log_probs, ct_tensor targets, ct_tensor input_lengths, ct_tensor target_lengths,
                     int64_t blank, int32_t reduction, int32_t zero_infinity, ct_tensor *out) {
  CT_TRY(*out = wrap(at::ctc_loss(T(log_probs), T(targets), T(input_lengths), T(target_lengths), blank, reduction,
                                  zero_infinity != 0)))
}
ct_error ct_stft(ct_tensor x, int64_t n_fft, int64_t hop, int64_t win_length, ct_tensor window, int32_t center,
                 int32_t pad_mode_reflect, int32_t normalized, int32_t onesided, ct_tensor *out) {
  CT_TRY(*out = wrap(at::stft(T(x), n_fft, hop, win_length, opt(window), center != 0,
                              pad_mode_reflect ? "reflect" : "constant", normalized != 0, onesided != 0,
                              /*return_complex=*/true)))
}
ct_error ct_view_as_real(ct_tensor a, ct_tensor *out) { CT_TRY(*out = wrap(at::view_as_real(T(a)))) }
ct_error ct_complex_abs(ct_tensor a, ct_tensor *out) { CT_TRY(*out = wrap(at::abs(T(a)))) }

} // extern "C"
