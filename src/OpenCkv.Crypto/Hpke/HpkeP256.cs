using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace OpenCkv.Crypto.Hpke;

/// <summary>
/// HPKE (RFC 9180) in base mode with one suite: KEM 0x0010 DHKEM(P-256, HKDF-SHA256), KDF 0x0001 HKDF-SHA256,
/// AEAD 0x0001 AES-128-GCM (docs/ckv-protocol.md §6). Public keys and encapsulated keys are SEC1 uncompressed
/// points (65 bytes); a recipient's key pair is an <see cref="ECDiffieHellman"/> on P-256. A ciphertext is the
/// AES-GCM output followed by its 16-byte tag. Anything wrong with what the recipient is given (encapsulated key,
/// ciphertext, info, associated data) raises <see cref="HpkeOpenException"/>.
/// </summary>
public static class HpkeP256
{
    /// <summary>The KEM id: DHKEM(P-256, HKDF-SHA256).</summary>
    public const ushort KemId = 0x0010;

    /// <summary>The KDF id: HKDF-SHA256.</summary>
    public const ushort KdfId = 0x0001;

    /// <summary>The AEAD id: AES-128-GCM.</summary>
    public const ushort AeadId = 0x0001;

    /// <summary>Npk: a recipient public key, SEC1 uncompressed.</summary>
    public const int PublicKeySize = DhKemP256.PublicKeySize;

    /// <summary>Nenc: the encapsulated key, SEC1 uncompressed.</summary>
    public const int EncapsulatedKeySize = DhKemP256.PublicKeySize;

    /// <summary>Nsk: a private key, a big-endian scalar.</summary>
    public const int PrivateKeySize = DhKemP256.PrivateKeySize;

    /// <summary>Nt: the tag each ciphertext ends with.</summary>
    public const int TagSize = EncryptionContext.TagSize;

    /// <summary>RFC 9180 §6.1 single-shot seal: a fresh encapsulated key and one message to the recipient.</summary>
    /// <exception cref="ArgumentException">The recipient key is not a valid SEC1 uncompressed P-256 point.</exception>
    public static (byte[] Enc, byte[] Ciphertext) Seal(
        ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        using HpkeSenderContext sender = SetupBaseSender(recipientPublicKey, info);
        return (sender.EncapsulatedKey.ToArray(), sender.Seal(aad, plaintext));
    }

    /// <summary>RFC 9180 §6.1 single-shot open of a message from <see cref="Seal"/>.</summary>
    /// <exception cref="HpkeOpenException">
    /// The encapsulated key is malformed, the ciphertext is shorter than the tag, or the tag does not verify.
    /// </exception>
    /// <exception cref="ArgumentException"><paramref name="recipient"/> is not a P-256 key.</exception>
    public static byte[] Open(
        ECDiffieHellman recipient, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext)
    {
        using HpkeRecipientContext context = SetupBaseRecipient(recipient, enc, info);
        return context.Open(aad, ciphertext);
    }

    /// <summary>Like <see cref="Open"/>, but false (and no plaintext) instead of <see cref="HpkeOpenException"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="recipient"/> is not a P-256 key.</exception>
    public static bool TryOpen(
        ECDiffieHellman recipient,
        ReadOnlySpan<byte> enc,
        ReadOnlySpan<byte> info,
        ReadOnlySpan<byte> aad,
        ReadOnlySpan<byte> ciphertext,
        [NotNullWhen(true)] out byte[]? plaintext)
    {
        try
        {
            plaintext = Open(recipient, enc, info, aad, ciphertext);
            return true;
        }
        catch (HpkeOpenException)
        {
            plaintext = null;
            return false;
        }
    }

    /// <summary>RFC 9180 §5.1.1 SetupBaseS: encapsulates to the recipient with a fresh ephemeral key.</summary>
    /// <exception cref="ArgumentException">The recipient key is not a valid SEC1 uncompressed P-256 point.</exception>
    public static HpkeSenderContext SetupBaseSender(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info)
    {
        using ECDiffieHellman ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return SetupBaseSender(recipientPublicKey, info, ephemeral);
    }

    /// <summary>
    /// RFC 9180 §5.1.1 SetupBaseS with a given ephemeral key pair instead of a fresh one: for known-answer tests
    /// only, since reusing an ephemeral key across messages breaks HPKE's security.
    /// </summary>
    internal static HpkeSenderContext SetupBaseSender(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ECDiffieHellman ephemeral)
    {
        byte[] sharedSecret = DhKemP256.Encapsulate(recipientPublicKey, ephemeral, out byte[] enc);
        try
        {
            return new HpkeSenderContext(enc, EncryptionContext.KeySchedule(sharedSecret, info));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    /// <summary>RFC 9180 §5.1.1 SetupBaseR: decapsulates <paramref name="enc"/> with the recipient's key pair.</summary>
    /// <exception cref="HpkeOpenException">The encapsulated key is not a valid SEC1 uncompressed P-256 point.</exception>
    /// <exception cref="ArgumentException"><paramref name="recipient"/> is not a P-256 key.</exception>
    public static HpkeRecipientContext SetupBaseRecipient(ECDiffieHellman recipient, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> info)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        if (!DhKemP256.IsP256(recipient))
        {
            throw new ArgumentException("The HPKE recipient key must be a P-256 key.", nameof(recipient));
        }

        byte[] sharedSecret = DhKemP256.Decapsulate(enc, recipient);
        try
        {
            return new HpkeRecipientContext(EncryptionContext.KeySchedule(sharedSecret, info));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
        }
    }

    /// <summary>
    /// RFC 9180 §7.1.3 DeriveKeyPair: the key pair that input keying material <paramref name="ikm"/> determines.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="ikm"/> is shorter than 32 bytes (Nsk).</exception>
    public static ECDiffieHellman DeriveKeyPair(ReadOnlySpan<byte> ikm)
    {
        if (ikm.Length < PrivateKeySize)
        {
            throw new ArgumentException("DeriveKeyPair needs at least 32 bytes of input keying material.", nameof(ikm));
        }

        return DhKemP256.DeriveKeyPair(ikm);
    }

    /// <summary>RFC 9180 §7.1.2 DeserializePrivateKey: a key pair from its 32-byte big-endian scalar.</summary>
    /// <exception cref="ArgumentException">Not 32 bytes, zero, or not below the P-256 group order.</exception>
    public static ECDiffieHellman ImportPrivateKey(ReadOnlySpan<byte> scalar) => DhKemP256.ImportPrivateKey(scalar);

    /// <summary>RFC 9180 §7.1.1 SerializePublicKey: the 65-byte SEC1 uncompressed public key of a P-256 key.</summary>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not a P-256 key.</exception>
    public static byte[] SerializePublicKey(ECDiffieHellman key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return DhKemP256.SerializePublicKey(key);
    }
}
