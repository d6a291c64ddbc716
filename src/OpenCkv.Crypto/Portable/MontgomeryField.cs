using System.Numerics;
using System.Runtime.CompilerServices;

namespace OpenCkv.Crypto.Portable;

/// <summary>
/// Arithmetic modulo an odd 256-bit prime in Montgomery form (R = 2^256), branch-free in the operands. Used for the
/// P-256 base field (the constant-time multiplier) and for the group order (ECVRF's s = k + c·x mod q).
/// </summary>
internal sealed class MontgomeryField
{
    private readonly U256 _modulus;
    private readonly ulong _negInverse;   // −m⁻¹ mod 2^64
    private readonly U256 _rSquared;      // R² mod m
    private readonly U256 _modulusMinusTwo;

    public MontgomeryField(U256 modulus)
    {
        _modulus = modulus;
        var m = ToBigInteger(modulus);
        var r = BigInteger.One << 256;
        _rSquared = FromBigInteger(r * r % m);
        _negInverse = NegInverse64(modulus.L0);
        _modulusMinusTwo = FromBigInteger(m - 2);
        One = FromBigInteger(r % m);
    }

    public U256 Modulus => _modulus;

    /// <summary>1 in Montgomery form (R mod m).</summary>
    public U256 One { get; }

    /// <summary>a·b·R⁻¹ mod m (CIOS Montgomery multiplication); inputs below m, output below m.</summary>
    public U256 Multiply(in U256 a, in U256 b)
    {
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
        Round(a, b.L0, ref t0, ref t1, ref t2, ref t3, ref t4);
        Round(a, b.L1, ref t0, ref t1, ref t2, ref t3, ref t4);
        Round(a, b.L2, ref t0, ref t1, ref t2, ref t3, ref t4);
        Round(a, b.L3, ref t0, ref t1, ref t2, ref t3, ref t4);

        // t < 2m: subtract m once unless that borrows past the fifth limb.
        var t = new U256(t0, t1, t2, t3);
        U256 reduced = U256.Sub(t, _modulus, out ulong borrow);
        ulong keep = unchecked(0UL - (borrow & (t4 ^ 1)));
        return U256.Select(keep, t, reduced);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Round(in U256 a, ulong bi, ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3, ref ulong t4)
    {
        // t += a·bi
        ulong c;
        t0 = MulAdd(a.L0, bi, t0, 0, out c);
        t1 = MulAdd(a.L1, bi, t1, c, out c);
        t2 = MulAdd(a.L2, bi, t2, c, out c);
        t3 = MulAdd(a.L3, bi, t3, c, out c);
        t4 = U256.AddWithCarry(t4, c, 0, out ulong t5);

        // t = (t + mu·m) / 2^64, which is exact by the choice of mu.
        ulong mu = unchecked(t0 * _negInverse);
        _ = MulAdd(mu, _modulus.L0, t0, 0, out c);
        t0 = MulAdd(mu, _modulus.L1, t1, c, out c);
        t1 = MulAdd(mu, _modulus.L2, t2, c, out c);
        t2 = MulAdd(mu, _modulus.L3, t3, c, out c);
        t3 = U256.AddWithCarry(t4, c, 0, out ulong carry);
        t4 = t5 + carry; // at most 1: t < 2m < 2^257
    }

    /// <summary>x·y + a + b as (high, low); cannot overflow 128 bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong MulAdd(ulong x, ulong y, ulong a, ulong b, out ulong high)
    {
        high = Math.BigMul(x, y, out ulong low);
        low = U256.AddWithCarry(low, a, 0, out ulong c1);
        low = U256.AddWithCarry(low, b, 0, out ulong c2);
        high += c1 + c2;
        return low;
    }

    public U256 Square(in U256 a) => Multiply(a, a);

    /// <summary>(a + b) mod m for a, b below m.</summary>
    public U256 Add(in U256 a, in U256 b)
    {
        U256 sum = U256.Add(a, b, out ulong carry);
        U256 reduced = U256.Sub(sum, _modulus, out ulong borrow);
        ulong keep = unchecked(0UL - (borrow & (carry ^ 1)));
        return U256.Select(keep, sum, reduced);
    }

    /// <summary>(a − b) mod m for a, b below m.</summary>
    public U256 Subtract(in U256 a, in U256 b)
    {
        U256 diff = U256.Sub(a, b, out ulong borrow);
        U256 correction = U256.Select(unchecked(0UL - borrow), _modulus, default);
        return U256.Add(diff, correction, out _);
    }

    public U256 Negate(in U256 a) => Subtract(default, a);

    public U256 ToMontgomery(in U256 a) => Multiply(a, _rSquared);

    public U256 FromMontgomery(in U256 a) => Multiply(a, new U256(1, 0, 0, 0));

    /// <summary>a^e for a public exponent (square-and-multiply; branches depend only on e).</summary>
    public U256 Power(in U256 a, in U256 exponent)
    {
        U256 result = One;
        for (int i = 255; i >= 0; i--)
        {
            result = Square(result);
            if (exponent.Bit(i) == 1)
            {
                result = Multiply(result, a);
            }
        }

        return result;
    }

    /// <summary>a⁻¹ by Fermat's little theorem (a^(m−2)); zero maps to zero. Constant-time in a.</summary>
    public U256 Invert(in U256 a) => Power(a, _modulusMinusTwo);

    /// <summary>True when a &lt; m (a reduced, canonical encoding).</summary>
    public bool IsReduced(in U256 a) => U256.LessThanMask(a, _modulus) != 0;

    private static ulong NegInverse64(ulong m0)
    {
        // Newton iteration for m0⁻¹ mod 2^64: each step doubles the number of correct low bits.
        ulong inv = m0;
        for (int i = 0; i < 6; i++)
        {
            inv = unchecked(inv * (2 - (m0 * inv)));
        }

        return unchecked(0UL - inv);
    }

    internal static BigInteger ToBigInteger(in U256 value)
    {
        Span<byte> bytes = stackalloc byte[32];
        value.WriteBigEndian(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    internal static U256 FromBigInteger(BigInteger value)
    {
        Span<byte> bytes = stackalloc byte[32];
        bytes.Clear();
        int length = value.GetByteCount(isUnsigned: true);
        value.TryWriteBytes(bytes[(32 - length)..], out _, isUnsigned: true, isBigEndian: true);
        return U256.FromBigEndian(bytes);
    }
}
