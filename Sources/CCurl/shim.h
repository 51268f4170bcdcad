// libcurl for Swift: curl_easy_setopt and curl_easy_getinfo are variadic,
// which Swift cannot call, so each argument type gets a typed wrapper.
#ifndef AVISO_CCURL_SHIM_H
#define AVISO_CCURL_SHIM_H

#include <curl/curl.h>

typedef size_t (*aviso_curl_io_callback)(char *buffer, size_t size, size_t count, void *userdata);
typedef int (*aviso_curl_debug_callback)(CURL *handle, curl_infotype type, char *data, size_t size, void *userdata);

static inline CURLcode aviso_curl_setopt_long(CURL *curl, CURLoption option, long value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode aviso_curl_setopt_string(CURL *curl, CURLoption option, const char *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode aviso_curl_setopt_pointer(CURL *curl, CURLoption option, void *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode aviso_curl_setopt_slist(CURL *curl, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode aviso_curl_setopt_io_callback(CURL *curl, CURLoption option, aviso_curl_io_callback value) {
    return curl_easy_setopt(curl, option, value);
}

static inline CURLcode aviso_curl_setopt_debug_callback(CURL *curl, aviso_curl_debug_callback value) {
    return curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, value);
}

static inline CURLcode aviso_curl_getinfo_long(CURL *curl, CURLINFO info, long *value) {
    return curl_easy_getinfo(curl, info, value);
}

#endif
