using OpenCkv.Crypto.Hashing;
using OpenCkv.Crypto.Vrf;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;

namespace OpenCkv.Crypto.Portable;

/// <summary>
/// P-256 in managed code: BouncyCastle's specialised secp256r1 curve for decoding, encoding and public-scalar
/// arithmetic; <see cref="P256ConstantTime"/> for every multiplication by a secret scalar.
/// </summary>
internal sealed class PortableP256Group : IVrfGroup<ECPoint>
{
    private static readonly X9ECParameters Parameters = CustomNamedCurves.GetByName("secp256r1");
    private static readonly ECCurve Curve = Parameters.Curve;
    private static readonly ECPoint Generator = Parameters.G;

    /// <summary>The last public key decoded, with BouncyCastle's multiplication tables kept on its point object.</summary>
    private volatile CachedKey? _lastKey;

    public PortableP256Group(Sha256Engine hash) => Hash = hash;

    public Sha256Engine Hash { get; }

    public bool TryDecompress(ReadOnlySpan<byte> encoded, out ECPoint point) => TryDecode(encoded, out point);

    private static bool TryDecode(ReadOnlySpan<byte> encoded, out ECPoint point)
    {
        point = null!;
        if (encoded.Length != EcVrfP256.PublicKeySize || (encoded[0] != 0x02 && encoded[0] != 0x03))
        {
            return false;
        }

        try
        {
            // BouncyCastle rejects x ≥ p ("value invalid") and x without a square root ("Invalid point compression").
            point = Curve.DecodePoint(encoded.ToArray());
            return !point.IsInfinity;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public bool TryDecompressPublicKey(ReadOnlySpan<byte> encoded, out ECPoint point)
    {
        CachedKey? cached = _lastKey;
        if (cached is not null && encoded.SequenceEqual(cached.Encoded))
        {
            point = cached.Point;
            return true;
        }

        if (!TryDecompress(encoded, out point))
        {
            return false;
        }

        _lastKey = new CachedKey(encoded.ToArray(), point);
        return true;
    }

    public bool TryCompress(ECPoint point, Span<byte> destination)
    {
        if (point.IsInfinity)
        {
            return false;
        }

        point.Normalize().GetEncoded(compressed: true).CopyTo(destination);
        return true;
    }

    public ECPoint MultiplySecret(ReadOnlySpan<byte> scalar, ECPoint point)
    {
        ECPoint p = point.Normalize();
        Span<byte> x = stackalloc byte[32];
        Span<byte> y = stackalloc byte[32];
        bool finite = P256ConstantTime.Multiply(
            scalar, p.AffineXCoord.GetEncoded(), p.AffineYCoord.GetEncoded(), x, y);
        return ToPoint(finite, x, y);
    }

    public ECPoint MultiplyBaseSecret(ReadOnlySpan<byte> scalar)
    {
        Span<byte> x = stackalloc byte[32];
        Span<byte> y = stackalloc byte[32];
        bool finite = P256ConstantTime.MultiplyBase(scalar, x, y);
        return ToPoint(finite, x, y);
    }

    public ECPoint MultiplyAddBase(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ECPoint q) =>
        MultiplyAdd(a, Generator, b, q);

    public ECPoint MultiplyAdd(ReadOnlySpan<byte> a, ECPoint p, ReadOnlySpan<byte> b, ECPoint q) =>
        ECAlgorithms.SumOfTwoMultiplies(p, new BigInteger(1, a), q, new BigInteger(1, b)).Normalize();

    public void Release(ECPoint point)
    {
        // Managed points need no release.
    }

    private sealed record CachedKey(byte[] Encoded, ECPoint Point);

    private static ECPoint ToPoint(bool finite, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y) =>
        finite
            ? Curve.CreatePoint(new BigInteger(1, x), new BigInteger(1, y))
            : Curve.Infinity;
}
