namespace OpenCkv.Crypto.Portable;

/// <summary>Arithmetic modulo the P-256 group order q, branch-free (it touches VRF secret keys and nonces).</summary>
internal static class P256Scalar
{
    public const int Size = 32;

    private static readonly MontgomeryField Fq =
        new(U256.FromHex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"));

    public static U256 Order => Fq.Modulus;

    /// <summary>True when the 32-byte big-endian value is in [1, q − 1] (a valid secret key or nonce).</summary>
    public static bool IsValidNonZero(ReadOnlySpan<byte> scalar)
    {
        if (scalar.Length != Size)
        {
            return false;
        }

        U256 value = U256.FromBigEndian(scalar);
        return (U256.LessThanMask(value, Fq.Modulus) & ~value.ZeroMask()) != 0;
    }

    /// <summary>True when the 32-byte big-endian value is below q (RFC 9381 §5.4.4: s ≥ q is INVALID).</summary>
    public static bool IsReduced(ReadOnlySpan<byte> scalar) => Fq.IsReduced(U256.FromBigEndian(scalar));

    /// <summary>(k + c·x) mod q, RFC 9381 §5.1 step 7; k, x below q and c below 2^128.</summary>
    public static void MultiplyAdd(ReadOnlySpan<byte> k, ReadOnlySpan<byte> c, ReadOnlySpan<byte> x, Span<byte> result)
    {
        U256 cx = Fq.Multiply(Fq.ToMontgomery(U256.FromBigEndian(c)), U256.FromBigEndian(x));
        Fq.Add(U256.FromBigEndian(k), cx).WriteBigEndian(result);
    }

    /// <summary>(q − a) mod q for a below q.</summary>
    public static void Negate(ReadOnlySpan<byte> a, Span<byte> result) =>
        Fq.Negate(U256.FromBigEndian(a)).WriteBigEndian(result);

    /// <summary>a mod q for any 256-bit a (a single conditional subtraction suffices since 2^256 &lt; 2q).</summary>
    public static void Reduce(ReadOnlySpan<byte> a, Span<byte> result)
    {
        U256 value = U256.FromBigEndian(a);
        U256 reduced = U256.Sub(value, Fq.Modulus, out ulong borrow);
        U256.Select(unchecked(0UL - borrow), value, reduced).WriteBigEndian(result);
    }
}
