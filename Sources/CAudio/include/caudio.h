// CAudio: libsndfile (decode/encode through virtual I/O) + libsoxr (resampling), exposed to Swift.
// Every function returns NULL on success or a malloc'd error message the caller frees with free().
// Output buffers are malloc'd; free them with free().
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <sndfile.h>
#include <soxr.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Facts about an encoded stream read from its header, without decoding the samples.
typedef struct {
    int64_t frames;       ///< frames per channel as reported by the container (estimate for MP3)
    int32_t sample_rate;
    int32_t channels;
    int32_t format;       ///< libsndfile SF_FORMAT_* major|minor code
} caudio_info;

/// Reads the header of an in-memory encoded file (WAV, FLAC, OGG/Vorbis/Opus, MP3, ...).
char *caudio_probe_memory(const void *data, size_t size, caudio_info *info);

/// Reads the header of a file on disk.
char *caudio_probe_file(const char *path, caudio_info *info);

/// Decodes an in-memory encoded file to mono float32 (mean of the channels), native rate.
char *caudio_decode_memory(const void *data, size_t size, float **samples, int64_t *count,
                           caudio_info *info);

/// Same as caudio_decode_memory for a file on disk.
char *caudio_decode_file(const char *path, float **samples, int64_t *count, caudio_info *info);

/// Output length of caudio_resample_into for `count` input samples: round(count * out / in).
size_t caudio_resampled_length(size_t count, double in_rate, double out_rate);

/// Resamples mono float32 with soxr's one-shot API (quality: a SOXR_* recipe, e.g. SOXR_HQ)
/// into the caller's buffer of `capacity` samples (caudio_resampled_length).
char *caudio_resample_into(const float *input, size_t count, double in_rate, double out_rate,
                           unsigned long quality, float *output, size_t capacity, size_t *out_count);

/// Container for caudio_encode.
typedef enum { CAUDIO_WAV_PCM16 = 0, CAUDIO_FLAC_PCM16 = 1 } caudio_container;

/// Encodes mono float32 samples in [-1, 1] as 16-bit PCM WAV or FLAC bytes in memory.
char *caudio_encode_memory(const float *samples, size_t count, int32_t sample_rate,
                           caudio_container container, uint8_t **bytes, size_t *size);

/// "libsndfile-1.2.0" etc.
const char *caudio_sndfile_version(void);
/// 1 if this libsndfile can decode MPEG layer III.
int caudio_supports_mp3(void);

#ifdef __cplusplus
}
#endif
