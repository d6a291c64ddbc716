namespace OpenCkv.Crypto.Portable;

/// <summary>
/// P-256 scalar multiplication that runs the same instruction sequence and memory accesses whatever the scalar:
/// projective coordinates with the complete addition and doubling formulas for a = −3 of Renes, Costello and
/// Batina (EUROCRYPT 2016, Algorithms 4 and 6, which have no exceptional cases), a fixed 4-bit window, and a table
/// lookup that reads every entry. BouncyCastle's own multipliers skip zero digits and index tables by secret
/// digits, so they are used only for public scalars.
/// </summary>
internal static class P256ConstantTime
{
    private static readonly MontgomeryField Fp =
        new(U256.FromHex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"));

    private static readonly U256 CurveB =
        Fp.ToMontgomery(U256.FromHex("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b"));

    private static readonly U256 GeneratorX =
        U256.FromHex("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");

    private static readonly U256 GeneratorY =
        U256.FromHex("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");

    /// <summary>A point (X : Y : Z) on Y²Z = X³ − 3XZ² + bZ³, coordinates in Montgomery form; Z = 0 is the identity.</summary>
    internal struct Point
    {
        public U256 X;
        public U256 Y;
        public U256 Z;
    }

    /// <summary>k·(x, y) for a 32-byte big-endian scalar k; returns the affine result (x, y) as 32-byte big-endian
    /// strings, or false when the result is the identity (k ≡ 0 mod q).</summary>
    public static bool Multiply(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> resultX, Span<byte> resultY)
    {
        Point p = FromAffine(U256.FromBigEndian(x), U256.FromBigEndian(y));
        Point r = Multiply(U256.FromBigEndian(scalar), p);
        return ToAffine(r, resultX, resultY);
    }

    /// <summary>k·G for a 32-byte big-endian scalar k.</summary>
    public static bool MultiplyBase(ReadOnlySpan<byte> scalar, Span<byte> resultX, Span<byte> resultY)
    {
        Point r = Multiply(U256.FromBigEndian(scalar), FromAffine(GeneratorX, GeneratorY));
        return ToAffine(r, resultX, resultY);
    }

    internal static Point FromAffine(in U256 x, in U256 y) => new()
    {
        X = Fp.ToMontgomery(x),
        Y = Fp.ToMontgomery(y),
        Z = Fp.One,
    };

    internal static bool ToAffine(in Point p, Span<byte> x, Span<byte> y)
    {
        U256 zInverse = Fp.Invert(p.Z);
        Fp.FromMontgomery(Fp.Multiply(p.X, zInverse)).WriteBigEndian(x);
        Fp.FromMontgomery(Fp.Multiply(p.Y, zInverse)).WriteBigEndian(y);
        return p.Z.ZeroMask() == 0;
    }

    internal static Point Identity => new() { X = default, Y = Fp.One, Z = default };

    /// <summary>Fixed-window (4-bit) multiplication: 64 × (4 doublings + 1 complete addition of a table entry).</summary>
    internal static Point Multiply(in U256 k, in Point p)
    {
        Span<Point> table = stackalloc Point[16];
        table[0] = Identity;
        table[1] = p;
        for (int i = 2; i < 16; i++)
        {
            table[i] = Add(table[i - 1], p);
        }

        Point r = Identity;
        for (int window = 252; window >= 0; window -= 4)
        {
            r = Double(Double(Double(Double(r))));
            r = Add(r, Lookup(table, k.Nibble(window)));
        }

        return r;
    }

    /// <summary>Reads all 16 entries and keeps the one at <paramref name="index"/> by masking.</summary>
    private static Point Lookup(ReadOnlySpan<Point> table, uint index)
    {
        Point selected = default;
        for (uint i = 0; i < 16; i++)
        {
            ulong diff = i ^ index;
            ulong mask = unchecked(((diff | (0UL - diff)) >> 63) - 1); // all-ones iff i == index
            selected.X = U256.Select(mask, table[(int)i].X, selected.X);
            selected.Y = U256.Select(mask, table[(int)i].Y, selected.Y);
            selected.Z = U256.Select(mask, table[(int)i].Z, selected.Z);
        }

        return selected;
    }

    /// <summary>Complete projective addition for a = −3 (RCB16, Algorithm 4).</summary>
    internal static Point Add(in Point p, in Point q)
    {
        U256 t0 = Fp.Multiply(p.X, q.X);
        U256 t1 = Fp.Multiply(p.Y, q.Y);
        U256 t2 = Fp.Multiply(p.Z, q.Z);
        U256 t3 = Fp.Add(p.X, p.Y);
        U256 t4 = Fp.Add(q.X, q.Y);
        t3 = Fp.Multiply(t3, t4);
        t4 = Fp.Add(t0, t1);
        t3 = Fp.Subtract(t3, t4);
        t4 = Fp.Add(p.Y, p.Z);
        U256 x3 = Fp.Add(q.Y, q.Z);
        t4 = Fp.Multiply(t4, x3);
        x3 = Fp.Add(t1, t2);
        t4 = Fp.Subtract(t4, x3);
        x3 = Fp.Add(p.X, p.Z);
        U256 y3 = Fp.Add(q.X, q.Z);
        x3 = Fp.Multiply(x3, y3);
        y3 = Fp.Add(t0, t2);
        y3 = Fp.Subtract(x3, y3);
        U256 z3 = Fp.Multiply(CurveB, t2);
        x3 = Fp.Subtract(y3, z3);
        z3 = Fp.Add(x3, x3);
        x3 = Fp.Add(x3, z3);
        z3 = Fp.Subtract(t1, x3);
        x3 = Fp.Add(t1, x3);
        y3 = Fp.Multiply(CurveB, y3);
        t1 = Fp.Add(t2, t2);
        t2 = Fp.Add(t1, t2);
        y3 = Fp.Subtract(y3, t2);
        y3 = Fp.Subtract(y3, t0);
        t1 = Fp.Add(y3, y3);
        y3 = Fp.Add(t1, y3);
        t1 = Fp.Add(t0, t0);
        t0 = Fp.Add(t1, t0);
        t0 = Fp.Subtract(t0, t2);
        t1 = Fp.Multiply(t4, y3);
        t2 = Fp.Multiply(t0, y3);
        y3 = Fp.Multiply(x3, z3);
        y3 = Fp.Add(y3, t2);
        x3 = Fp.Multiply(t3, x3);
        x3 = Fp.Subtract(x3, t1);
        z3 = Fp.Multiply(t4, z3);
        t1 = Fp.Multiply(t3, t0);
        z3 = Fp.Add(z3, t1);
        return new Point { X = x3, Y = y3, Z = z3 };
    }

    /// <summary>Complete projective doubling for a = −3 (RCB16, Algorithm 6).</summary>
    internal static Point Double(in Point p)
    {
        U256 t0 = Fp.Square(p.X);
        U256 t1 = Fp.Square(p.Y);
        U256 t2 = Fp.Square(p.Z);
        U256 t3 = Fp.Multiply(p.X, p.Y);
        t3 = Fp.Add(t3, t3);
        U256 z3 = Fp.Multiply(p.X, p.Z);
        z3 = Fp.Add(z3, z3);
        U256 y3 = Fp.Multiply(CurveB, t2);
        y3 = Fp.Subtract(y3, z3);
        U256 x3 = Fp.Add(y3, y3);
        y3 = Fp.Add(x3, y3);
        x3 = Fp.Subtract(t1, y3);
        y3 = Fp.Add(t1, y3);
        y3 = Fp.Multiply(x3, y3);
        x3 = Fp.Multiply(x3, t3);
        t3 = Fp.Add(t2, t2);
        t2 = Fp.Add(t2, t3);
        z3 = Fp.Multiply(CurveB, z3);
        z3 = Fp.Subtract(z3, t2);
        z3 = Fp.Subtract(z3, t0);
        t3 = Fp.Add(z3, z3);
        z3 = Fp.Add(z3, t3);
        t3 = Fp.Add(t0, t0);
        t0 = Fp.Add(t3, t0);
        t0 = Fp.Subtract(t0, t2);
        t0 = Fp.Multiply(t0, z3);
        y3 = Fp.Add(y3, t0);
        t0 = Fp.Multiply(p.Y, p.Z);
        t0 = Fp.Add(t0, t0);
        z3 = Fp.Multiply(t0, z3);
        x3 = Fp.Subtract(x3, z3);
        z3 = Fp.Multiply(t0, t1);
        z3 = Fp.Add(z3, z3);
        z3 = Fp.Add(z3, z3);
        return new Point { X = x3, Y = y3, Z = z3 };
    }
}
