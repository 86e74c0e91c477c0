// SHA-256 through libcrypto's direct implementation (the same assembly, chosen by CPU features),
// not the one-shot SHA256(), which in OpenSSL 3 fetches the algorithm from a provider on every
// call and initialises all of libcrypto (every cipher and digest) on the first.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <stddef.h>
#include <openssl/sha.h>

static inline void cdrstore_sha256(const void *bytes, size_t count, unsigned char *digest) {
    SHA256_CTX context;
    SHA256_Init(&context);
    SHA256_Update(&context, bytes, count);
    SHA256_Final(digest, &context);
}
