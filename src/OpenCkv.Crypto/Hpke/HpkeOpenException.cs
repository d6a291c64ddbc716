using System.Security.Cryptography;

namespace OpenCkv.Crypto.Hpke;

/// <summary>Why an HPKE ciphertext was refused.</summary>
public enum HpkeOpenFailure
{
    /// <summary>The encapsulated key is not 65 bytes, not SEC1 uncompressed, or not a point of P-256.</summary>
    InvalidEncapsulatedKey,

    /// <summary>The ciphertext is shorter than the 16-byte AES-GCM tag.</summary>
    CiphertextTooShort,

    /// <summary>
    /// The AES-GCM tag does not verify: the ciphertext, the associated data, the info, the encapsulated key or the
    /// sequence number differ from the sender's, or the message was sealed to another key.
    /// </summary>
    AuthenticationFailed,
}

/// <summary>
/// An HPKE ciphertext could not be opened (RFC 9180's OpenError, and a DecapError or ValidationError on the
/// encapsulated key). Every malformed or forged input ends here; no plaintext is released.
/// </summary>
public sealed class HpkeOpenException : CryptographicException
{
    /// <summary>Creates the exception for the given failure.</summary>
    public HpkeOpenException(HpkeOpenFailure failure, string message)
        : base(message) => Failure = failure;

    /// <summary>Creates the exception for the given failure, keeping the error that revealed it.</summary>
    public HpkeOpenException(HpkeOpenFailure failure, string message, Exception innerException)
        : base(message, innerException) => Failure = failure;

    /// <summary>Creates the exception for a tag that does not verify.</summary>
    public HpkeOpenException()
        : this(HpkeOpenFailure.AuthenticationFailed, "The HPKE ciphertext does not open.")
    {
    }

    /// <summary>Creates the exception for a tag that does not verify.</summary>
    public HpkeOpenException(string message)
        : this(HpkeOpenFailure.AuthenticationFailed, message)
    {
    }

    /// <summary>Creates the exception for a tag that does not verify, keeping the error that revealed it.</summary>
    public HpkeOpenException(string message, Exception innerException)
        : this(HpkeOpenFailure.AuthenticationFailed, message, innerException)
    {
    }

    /// <summary>Which check refused the ciphertext.</summary>
    public HpkeOpenFailure Failure { get; }
}
