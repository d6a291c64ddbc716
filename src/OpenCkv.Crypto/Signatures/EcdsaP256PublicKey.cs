using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace OpenCkv.Crypto.Signatures;

/// <summary>
/// An ECDSA P-256 / SHA-256 verification key of suite KT_128_SHA256_P256 (KT §17.1): SEC1 uncompressed encoding,
/// signatures r || s (64 bytes). The imported key object is kept, so verifying many signatures under one key pays
/// the import once.
/// </summary>
public sealed class EcdsaP256PublicKey : IDisposable
{
    /// <summary>SEC1 uncompressed point size: 0x04 || x || y.</summary>
    public const int EncodedSize = 65;

    /// <summary>Signature size: r || s, each 32 bytes big-endian.</summary>
    public const int SignatureSize = 64;

    private readonly ECDsa _key;
    private readonly byte[] _encoded;

    private EcdsaP256PublicKey(ECDsa key, byte[] encoded)
    {
        _key = key;
        _encoded = encoded;
    }

    /// <summary>The SEC1 uncompressed encoding (65 bytes).</summary>
    public ReadOnlySpan<byte> Encoded => _encoded;

    /// <summary>Parses a SEC1 uncompressed P-256 point; false for any other length, prefix or an off-curve point.</summary>
    public static bool TryParse(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out EcdsaP256PublicKey? key)
    {
        key = null;
        if (encoded.Length != EncodedSize || encoded[0] != 0x04)
        {
            return false;
        }

        var parameters = new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = encoded.Slice(1, 32).ToArray(), Y = encoded.Slice(33, 32).ToArray() },
        };
        ECDsa ecdsa = ECDsa.Create();
        try
        {
            ecdsa.ImportParameters(parameters); // validates that Q is on the curve
        }
        catch (CryptographicException)
        {
            ecdsa.Dispose();
            return false;
        }

        key = new EcdsaP256PublicKey(ecdsa, encoded.ToArray());
        return true;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, EcdsaP256PublicKey> Shared = new();
    /// <summary>
    /// Keys kept parsed process-wide. Importing a key makes libcrypto check it (a point multiplication, as costly as a
    /// verification), so a server checking records of the same accounts again and again keeps them; when full, the
    /// cache is emptied rather than grown (the working set parses again).
    /// </summary>
    private const int MaxShared = 8192;

    /// <summary>
    /// Like <see cref="TryParse"/>, but keeps up to 64 parsed keys for the life of the process, so a verifier that
    /// checks every tree head under a pinned key imports it once. The returned key is shared: do not dispose it.
    /// </summary>
    public static bool TryGetShared(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out EcdsaP256PublicKey? key)
    {
        string id = Convert.ToHexString(encoded);
        if (Shared.TryGetValue(id, out key))
        {
            return true;
        }

        if (!TryParse(encoded, out key))
        {
            return false;
        }

        if (Shared.Count >= MaxShared)
        {
            Shared.Clear(); // keys dropped here are not disposed: a caller may still hold one; the finalizer frees it
        }

        key = Shared.GetOrAdd(id, key);
        return true;
    }

    /// <summary>
    /// True when <paramref name="encoded"/> is a SEC1 uncompressed P-256 point on the curve (coordinates below p,
    /// y² = x³ − 3x + b), checked with integer arithmetic and without importing it: for keys that are only carried,
    /// never used to verify (a device's encryption and request keys inside its possession proof).
    /// </summary>
    public static bool IsValidEncoding(ReadOnlySpan<byte> encoded)
    {
        if (encoded.Length != EncodedSize || encoded[0] != 0x04)
        {
            return false;
        }

        var x = new System.Numerics.BigInteger(encoded.Slice(1, 32), isUnsigned: true, isBigEndian: true);
        var y = new System.Numerics.BigInteger(encoded.Slice(33, 32), isUnsigned: true, isBigEndian: true);
        if (x >= CurveP || y >= CurveP)
        {
            return false;
        }

        System.Numerics.BigInteger right = ((((x * x) % CurveP) * x) - (3 * x) + CurveB) % CurveP;
        if (right.Sign < 0)
        {
            right += CurveP;
        }

        return (y * y) % CurveP == right;
    }

    // FIPS 186-4 D.1.2.3 (secp256r1): the field prime and the constant b.
    private static readonly System.Numerics.BigInteger CurveP =
        System.Numerics.BigInteger.Parse("0ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    private static readonly System.Numerics.BigInteger CurveB =
        System.Numerics.BigInteger.Parse("05ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Parses a key that must be valid.</summary>
    /// <exception cref="ArgumentException">Not a SEC1 uncompressed P-256 point.</exception>
    public static EcdsaP256PublicKey Parse(ReadOnlySpan<byte> encoded) =>
        TryParse(encoded, out EcdsaP256PublicKey? key)
            ? key!
            : throw new ArgumentException("Not a SEC1 uncompressed P-256 public key.", nameof(encoded));

    internal static EcdsaP256PublicKey FromKey(ECDsa key)
    {
        ECParameters p = key.ExportParameters(includePrivateParameters: false);
        var encoded = new byte[EncodedSize];
        encoded[0] = 0x04;
        p.Q.X!.CopyTo(encoded, 1);
        p.Q.Y!.CopyTo(encoded, 33);
        return Parse(encoded);
    }

    /// <summary>True when <paramref name="signature"/> (r || s) is a valid signature of SHA-256(<paramref name="data"/>).</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == SignatureSize &&
        _key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <inheritdoc />
    public void Dispose() => _key.Dispose();
}
