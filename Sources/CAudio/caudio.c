// CAudio implementation: libsndfile virtual I/O over memory buffers, channel mixing, soxr.
#define _GNU_SOURCE  // vasprintf
#include "caudio.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>

static char *error_message(const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    char *msg = NULL;
    if (vasprintf(&msg, fmt, args) < 0) msg = NULL;
    va_end(args);
    return msg ? msg : strdup("caudio: out of memory");
}

// ---- growable memory buffer used as a libsndfile virtual file --------------------------

typedef struct {
    uint8_t *data;
    sf_count_t size;      // bytes of valid content
    sf_count_t capacity;  // bytes allocated (0 and data const when read-only)
    sf_count_t position;
    int owned;            // 1 when data is ours (write mode)
} memory_file;

static sf_count_t mf_length(void *user) { return ((memory_file *)user)->size; }

static sf_count_t mf_seek(sf_count_t offset, int whence, void *user) {
    memory_file *f = user;
    sf_count_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? f->position : f->size;
    sf_count_t target = base + offset;
    if (target < 0) return -1;
    f->position = target;
    return target;
}

static sf_count_t mf_read(void *dst, sf_count_t count, void *user) {
    memory_file *f = user;
    sf_count_t left = f->size - f->position;
    if (left <= 0) return 0;
    if (count > left) count = left;
    memcpy(dst, f->data + f->position, (size_t)count);
    f->position += count;
    return count;
}

static sf_count_t mf_write(const void *src, sf_count_t count, void *user) {
    memory_file *f = user;
    if (!f->owned) return 0;
    sf_count_t end = f->position + count;
    if (end > f->capacity) {
        sf_count_t cap = f->capacity ? f->capacity : 65536;
        while (cap < end) cap *= 2;
        uint8_t *grown = realloc(f->data, (size_t)cap);
        if (!grown) return 0;
        f->data = grown;
        f->capacity = cap;
    }
    // A seek past the end (headers patched later) leaves a gap: zero it.
    if (f->position > f->size) memset(f->data + f->size, 0, (size_t)(f->position - f->size));
    memcpy(f->data + f->position, src, (size_t)count);
    f->position = end;
    if (end > f->size) f->size = end;
    return count;
}

static sf_count_t mf_tell(void *user) { return ((memory_file *)user)->position; }

static SF_VIRTUAL_IO memory_io = {mf_length, mf_seek, mf_read, mf_write, mf_tell};

// ---- decoding --------------------------------------------------------------------------

static void fill_info(const SF_INFO *sf, caudio_info *info) {
    if (!info) return;
    info->frames = sf->frames;
    info->sample_rate = sf->samplerate;
    info->channels = sf->channels;
    info->format = sf->format;
}

static char *check_info(const SF_INFO *sf) {
    if (sf->channels <= 0) return error_message("stream has %d channels", sf->channels);
    if (sf->samplerate <= 0) return error_message("stream has sample rate %d", sf->samplerate);
    return NULL;
}

// Reads every frame (frames from the header can be estimates: read until EOF) and mixes to mono.
static char *decode_open(SNDFILE *file, const SF_INFO *sf, float **samples, int64_t *count) {
    const int channels = sf->channels;
    const sf_count_t block = 8192;
    float *interleaved = malloc(sizeof(float) * (size_t)(block * channels));
    sf_count_t capacity = sf->frames > 0 && sf->frames < ((sf_count_t)1 << 34) ? sf->frames : block;
    float *mono = malloc(sizeof(float) * (size_t)(capacity > 0 ? capacity : 1));
    if (!interleaved || !mono) {
        free(interleaved);
        free(mono);
        return error_message("out of memory for %lld frames", (long long)capacity);
    }
    sf_count_t total = 0;
    for (;;) {
        sf_count_t got = sf_readf_float(file, interleaved, block);
        if (got <= 0) break;
        if (total + got > capacity) {
            while (capacity < total + got) capacity *= 2;
            float *grown = realloc(mono, sizeof(float) * (size_t)capacity);
            if (!grown) {
                free(interleaved);
                free(mono);
                return error_message("out of memory for %lld frames", (long long)capacity);
            }
            mono = grown;
        }
        if (channels == 1) {
            memcpy(mono + total, interleaved, sizeof(float) * (size_t)got);
        } else {
            for (sf_count_t i = 0; i < got; i++) {
                double sum = 0;  // double accumulator: exact mean for any realistic channel count
                for (int c = 0; c < channels; c++) sum += interleaved[i * channels + c];
                mono[total + i] = (float)(sum / channels);
            }
        }
        total += got;
    }
    free(interleaved);
    int err = sf_error(file);
    if (err != SF_ERR_NO_ERROR) {
        free(mono);
        return error_message("decode failed after %lld frames: %s", (long long)total,
                             sf_error_number(err));
    }
    *samples = mono;
    *count = total;
    return NULL;
}

char *caudio_probe_memory(const void *data, size_t size, caudio_info *info) {
    memory_file mf = {(uint8_t *)data, (sf_count_t)size, 0, 0, 0};
    SF_INFO sf;
    memset(&sf, 0, sizeof sf);
    SNDFILE *file = sf_open_virtual(&memory_io, SFM_READ, &sf, &mf);
    if (!file) return error_message("not a decodable audio stream (%s)", sf_strerror(NULL));
    char *err = check_info(&sf);
    fill_info(&sf, info);
    sf_close(file);
    return err;
}

// Why sf_open failed, in the user's terms: libsndfile says "File does not exist or is not a
// regular file" for a corrupt MP3 that exists, so the file system is asked first.
static char *open_error(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return error_message("cannot open audio file: %s", strerror(errno));
    if (S_ISDIR(st.st_mode)) return error_message("cannot open audio file: it is a folder");
    if (st.st_size == 0) return error_message("cannot open audio file: the file is empty");
    const char *why = sf_strerror(NULL);
    if (strstr(why, "does not exist")) return error_message("not a readable audio file (unknown format or damaged data)");
    return error_message("not a readable audio file (unknown format or damaged data; libsndfile: %s)", why);
}

char *caudio_probe_file(const char *path, caudio_info *info) {
    SF_INFO sf;
    memset(&sf, 0, sizeof sf);
    SNDFILE *file = sf_open(path, SFM_READ, &sf);
    if (!file) return open_error(path);
    char *err = check_info(&sf);
    fill_info(&sf, info);
    sf_close(file);
    return err;
}

char *caudio_decode_memory(const void *data, size_t size, float **samples, int64_t *count,
                           caudio_info *info) {
    memory_file mf = {(uint8_t *)data, (sf_count_t)size, 0, 0, 0};
    SF_INFO sf;
    memset(&sf, 0, sizeof sf);
    SNDFILE *file = sf_open_virtual(&memory_io, SFM_READ, &sf, &mf);
    if (!file) return error_message("not a decodable audio stream (%s)", sf_strerror(NULL));
    char *err = check_info(&sf);
    if (!err) err = decode_open(file, &sf, samples, count);
    fill_info(&sf, info);
    sf_close(file);
    return err;
}

char *caudio_decode_file(const char *path, float **samples, int64_t *count, caudio_info *info) {
    SF_INFO sf;
    memset(&sf, 0, sizeof sf);
    SNDFILE *file = sf_open(path, SFM_READ, &sf);
    if (!file) return open_error(path);
    char *err = check_info(&sf);
    if (!err) err = decode_open(file, &sf, samples, count);
    fill_info(&sf, info);
    sf_close(file);
    return err;
}

// ---- resampling ------------------------------------------------------------------------

size_t caudio_resampled_length(size_t count, double in_rate, double out_rate) {
    // Same output length rule as python-soxr: round(count * out / in).
    return (size_t)((double)count * out_rate / in_rate + 0.5);
}

char *caudio_resample_into(const float *input, size_t count, double in_rate, double out_rate,
                           unsigned long quality, float *output, size_t capacity, size_t *out_count) {
    if (in_rate <= 0 || out_rate <= 0)
        return error_message("invalid resampling rates %g -> %g", in_rate, out_rate);
    soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
    soxr_quality_spec_t q = soxr_quality_spec(quality, 0);
    size_t done = 0;
    soxr_error_t err = soxr_oneshot(in_rate, out_rate, 1, input, count, NULL, output, capacity, &done,
                                    &io, &q, NULL);
    if (err) return error_message("soxr: %s", err);
    *out_count = done;
    return NULL;
}

// ---- encoding --------------------------------------------------------------------------

char *caudio_encode_memory(const float *samples, size_t count, int32_t sample_rate,
                           caudio_container container, uint8_t **bytes, size_t *size) {
    memory_file mf = {NULL, 0, 0, 0, 1};
    SF_INFO sf;
    memset(&sf, 0, sizeof sf);
    sf.samplerate = sample_rate;
    sf.channels = 1;
    sf.format = (container == CAUDIO_FLAC_PCM16 ? SF_FORMAT_FLAC : SF_FORMAT_WAV) | SF_FORMAT_PCM_16;
    if (!sf_format_check(&sf)) return error_message("unsupported encoding at %d Hz", sample_rate);
    SNDFILE *file = sf_open_virtual(&memory_io, SFM_WRITE, &sf, &mf);
    if (!file) {
        free(mf.data);
        return error_message("cannot open encoder: %s", sf_strerror(NULL));
    }
    // Clip instead of wrapping when a sample is outside [-1, 1].
    sf_command(file, SFC_SET_CLIPPING, NULL, SF_TRUE);
    sf_count_t written = sf_writef_float(file, samples, (sf_count_t)count);
    int err = sf_error(file);
    sf_close(file);  // flushes FLAC frames and patches headers into the buffer
    if (written != (sf_count_t)count || err != SF_ERR_NO_ERROR) {
        free(mf.data);
        return error_message("encode wrote %lld of %zu frames: %s", (long long)written, count,
                             sf_error_number(err));
    }
    *bytes = mf.data;
    *size = (size_t)mf.size;
    return NULL;
}

const char *caudio_sndfile_version(void) { return sf_version_string(); }

int caudio_supports_mp3(void) {
    SF_INFO sf;
    memset(&sf, 0, sizeof sf);
    sf.samplerate = 16000;
    sf.channels = 1;
    sf.format = SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
    return sf_format_check(&sf) ? 1 : 0;
}
