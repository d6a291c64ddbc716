namespace OpenCkv.Crypto;

/// <summary>Which implementation of the suite's primitives is in use.</summary>
public enum CryptoPath
{
    /// <summary>BCL hashing, BouncyCastle for public point arithmetic, OpenCKV's own constant-time multiplier.</summary>
    Portable = 1,

    /// <summary>The machine's libcrypto (OpenSSL 3) called directly for SHA-256 and P-256 point arithmetic.</summary>
    Native = 2,
}
