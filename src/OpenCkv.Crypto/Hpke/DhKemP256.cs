using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using OpenCkv.Crypto.Portable;
using OpenCkv.Crypto.Signatures;

namespace OpenCkv.Crypto.Hpke;

/// <summary>
/// KEM 0x0010, DHKEM(P-256, HKDF-SHA256): public keys and encapsulated keys are SEC1 uncompressed points
/// (65 bytes), private keys 32-byte big-endian scalars, and the shared secret 32 bytes. The Diffie-Hellman
/// operations run in the platform's <see cref="ECDiffieHellman"/>.
/// </summary>
internal static class DhKemP256
{
    /// <summary>Npk and Nenc: a SEC1 uncompressed point.</summary>
    public const int PublicKeySize = EcdsaP256PublicKey.EncodedSize;

    /// <summary>Nsk: a big-endian scalar.</summary>
    public const int PrivateKeySize = 32;

    /// <summary>Nsecret: the KEM shared secret size.</summary>
    public const int SharedSecretSize = 32;

    private const byte CandidateBitmask = 0xFF; // P-256's order fills all 256 bits: no bit of the first byte is masked
    private const string P256Oid = "1.2.840.10045.3.1.7";

    /// <summary>suite_id = "KEM" ‖ I2OSP(kem_id, 2).</summary>
    private static ReadOnlySpan<byte> SuiteId => [(byte)'K', (byte)'E', (byte)'M', 0x00, 0x10];

    /// <summary>RFC 9180 §7.1.3 DeriveKeyPair: candidates from HKDF, the first in [1, n − 1] is the private key.</summary>
    public static ECDiffieHellman DeriveKeyPair(ReadOnlySpan<byte> ikm)
    {
        byte[] prk = LabeledHkdf.Extract(SuiteId, [], "dkp_prk"u8, ikm);
        try
        {
            for (int counter = 0; counter <= byte.MaxValue; counter++)
            {
                byte[] candidate = LabeledHkdf.Expand(SuiteId, prk, "candidate"u8, [(byte)counter], PrivateKeySize);
                try
                {
                    candidate[0] &= CandidateBitmask;
                    if (P256Scalar.IsValidNonZero(candidate))
                    {
                        return ImportPrivateKey(candidate);
                    }
                }
                finally
                {
                    CryptographicOperations.ZeroMemory(candidate);
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }

        throw new CryptographicException("DeriveKeyPair found no P-256 scalar among 256 candidates."); // probability about 2^-8192
    }

    /// <summary>
    /// RFC 9180 §7.1.2 DeserializePrivateKey: a 32-byte big-endian scalar in [1, n − 1]. The public point is
    /// computed here (constant time in the scalar) and imported with it, so no platform has to derive it.
    /// </summary>
    /// <exception cref="ArgumentException">Not 32 bytes, zero, or not below the group order n.</exception>
    public static ECDiffieHellman ImportPrivateKey(ReadOnlySpan<byte> scalar)
    {
        if (!P256Scalar.IsValidNonZero(scalar))
        {
            throw new ArgumentException("A P-256 private key is a 32-byte big-endian scalar in [1, n − 1].", nameof(scalar));
        }

        var x = new byte[32];
        var y = new byte[32];
        P256ConstantTime.MultiplyBase(scalar, x, y);
        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = scalar.ToArray(),
            Q = new ECPoint { X = x, Y = y },
        };
        try
        {
            return ECDiffieHellman.Create(parameters);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    /// <summary>RFC 9180 §7.1.1 SerializePublicKey: 0x04 ‖ x ‖ y.</summary>
    /// <exception cref="ArgumentException">The key is not on P-256.</exception>
    public static byte[] SerializePublicKey(ECDiffieHellman key)
    {
        ECParameters parameters = key.ExportParameters(includePrivateParameters: false);
        if (!IsP256(parameters.Curve) || parameters.Q.X is not { Length: 32 } x || parameters.Q.Y is not { Length: 32 } y)
        {
            throw new ArgumentException("The key is not a P-256 key.", nameof(key));
        }

        return [0x04, .. x, .. y];
    }

    /// <summary>True when the key is on P-256 (the KEM works with no other curve).</summary>
    public static bool IsP256(ECDiffieHellman key) => IsP256(key.ExportParameters(includePrivateParameters: false).Curve);

    /// <summary>
    /// RFC 9180 §7.1.1 DeserializePublicKey with the validation of §7.1.4: 65 bytes, prefix 0x04, both coordinates
    /// below p and the point on the curve (so never the identity); false for anything else.
    /// </summary>
    public static bool TryDeserializePublicKey(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out ECDiffieHellman? key)
    {
        key = null;
        if (!EcdsaP256PublicKey.IsValidEncoding(encoded))
        {
            return false;
        }

        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = encoded.Slice(1, 32).ToArray(), Y = encoded.Slice(33, 32).ToArray() },
        };
        try
        {
            key = ECDiffieHellman.Create(parameters); // the platform checks the point again
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>
    /// RFC 9180 §4.1 Encap with the given ephemeral key pair (fresh for every message, or fixed by a known-answer
    /// test): returns the shared secret and the encapsulated key (the ephemeral public key).
    /// </summary>
    /// <exception cref="ArgumentException">The recipient key is not a valid P-256 public key.</exception>
    public static byte[] Encapsulate(ReadOnlySpan<byte> recipientPublicKey, ECDiffieHellman ephemeral, out byte[] enc)
    {
        if (!TryDeserializePublicKey(recipientPublicKey, out ECDiffieHellman? recipient))
        {
            throw new ArgumentException("The recipient key is not a SEC1 uncompressed P-256 public key.", nameof(recipientPublicKey));
        }

        byte[] dh;
        using (recipient)
        {
            dh = DiffieHellman(ephemeral, recipient);
        }

        enc = SerializePublicKey(ephemeral);
        try
        {
            return ExtractAndExpand(dh, [.. enc, .. recipientPublicKey]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>RFC 9180 §4.1 Decap: the shared secret for an encapsulated key and the recipient's key pair.</summary>
    /// <exception cref="HpkeOpenException">The encapsulated key is not a valid P-256 point.</exception>
    public static byte[] Decapsulate(ReadOnlySpan<byte> enc, ECDiffieHellman recipient)
    {
        if (!TryDeserializePublicKey(enc, out ECDiffieHellman? ephemeral))
        {
            throw new HpkeOpenException(
                HpkeOpenFailure.InvalidEncapsulatedKey, "The encapsulated key is not a SEC1 uncompressed P-256 point.");
        }

        byte[] dh;
        using (ephemeral)
        {
            dh = DiffieHellman(recipient, ephemeral);
        }

        try
        {
            return ExtractAndExpand(dh, [.. enc, .. SerializePublicKey(recipient)]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>RFC 9180 §4.1 DH: the x-coordinate of the shared point, 32 bytes.</summary>
    private static byte[] DiffieHellman(ECDiffieHellman privateKey, ECDiffieHellman peer)
    {
        using ECDiffieHellmanPublicKey peerPublic = peer.PublicKey;
        return privateKey.DeriveRawSecretAgreement(peerPublic);
    }

    /// <summary>RFC 9180 §4.1 ExtractAndExpand: the shared secret from the DH output and kem_context = enc ‖ pkRm.</summary>
    private static byte[] ExtractAndExpand(ReadOnlySpan<byte> dh, ReadOnlySpan<byte> kemContext)
    {
        byte[] prk = LabeledHkdf.Extract(SuiteId, [], "eae_prk"u8, dh);
        try
        {
            return LabeledHkdf.Expand(SuiteId, prk, "shared_secret"u8, kemContext, SharedSecretSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }
    }

    private static bool IsP256(ECCurve curve) =>
        curve.IsNamed &&
        (curve.Oid.Value == P256Oid || curve.Oid.FriendlyName == ECCurve.NamedCurves.nistP256.Oid.FriendlyName);
}
