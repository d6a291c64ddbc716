using System.Numerics;
using CsCheck;
using OpenCkv.Crypto.Portable;
using Org.BouncyCastle.Crypto.EC;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace OpenCkv.Crypto.Tests;

/// <summary>
/// The constant-time multiplier and its field arithmetic against slow, obviously-correct references:
/// BouncyCastle's curve arithmetic and System.Numerics.BigInteger.
/// </summary>
public sealed class P256ConstantTimeTests
{
    private static readonly Org.BouncyCastle.Asn1.X9.X9ECParameters Curve = CustomNamedCurves.GetByName("secp256r1");
    private static readonly BigInteger Prime = BigInteger.Parse("0ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", System.Globalization.NumberStyles.HexNumber);
    private static readonly BigInteger Order = BigInteger.Parse("0ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", System.Globalization.NumberStyles.HexNumber);

    private static readonly Gen<byte[]> Scalars = Gen.OneOf(
        Gen.Byte.Array[32],
        Gen.Const(Be(1)),
        Gen.Const(Be(2)),
        Gen.Const(Be(15)),
        Gen.Const(Be(16)),
        Gen.Const(Be(Order - 1)),
        Gen.Const(Be(Order - 2)),
        Gen.Const(Be(Order)),
        Gen.Const(Be(Order + 1)),
        Gen.Const(new byte[32]),
        Gen.Const(Enumerable.Repeat((byte)0xff, 32).ToArray()));

    [Fact]
    public void Scalar_multiplication_matches_bouncycastle_for_random_and_edge_scalars()
    {
        Gen.Select(Scalars, Gen.Byte.Array[32]).Sample((k, pointSeed) =>
        {
            var p = Curve.G.Multiply(new BcBigInteger(1, pointSeed).Mod(Curve.N).Add(BcBigInteger.One)).Normalize();
            var expected = p.Multiply(new BcBigInteger(1, k).Mod(Curve.N)).Normalize();

            var x = new byte[32];
            var y = new byte[32];
            bool finite = P256ConstantTime.Multiply(k, p.AffineXCoord.GetEncoded(), p.AffineYCoord.GetEncoded(), x, y);
            Assert.Equal(!expected.IsInfinity, finite);
            if (finite)
            {
                Assert.Equal(expected.AffineXCoord.GetEncoded(), x);
                Assert.Equal(expected.AffineYCoord.GetEncoded(), y);
            }
        }, iter: 60);
    }

    [Fact]
    public void Base_multiplication_matches_bouncycastle()
    {
        Scalars.Sample(k =>
        {
            var expected = Curve.G.Multiply(new BcBigInteger(1, k).Mod(Curve.N)).Normalize();
            var x = new byte[32];
            var y = new byte[32];
            bool finite = P256ConstantTime.MultiplyBase(k, x, y);
            Assert.Equal(!expected.IsInfinity, finite);
            if (finite)
            {
                Assert.Equal(expected.AffineXCoord.GetEncoded(), x);
                Assert.Equal(expected.AffineYCoord.GetEncoded(), y);
            }
        }, iter: 40);
    }

    [Fact]
    public void Complete_formulas_handle_doubling_identity_and_inverse_points()
    {
        var g = P256ConstantTime.FromAffine(U256.FromBigEndian(Curve.G.AffineXCoord.GetEncoded()), U256.FromBigEndian(Curve.G.AffineYCoord.GetEncoded()));
        var negG = Curve.G.Negate().Normalize();
        var minusG = P256ConstantTime.FromAffine(U256.FromBigEndian(negG.AffineXCoord.GetEncoded()), U256.FromBigEndian(negG.AffineYCoord.GetEncoded()));
        var x = new byte[32];
        var y = new byte[32];

        Assert.False(P256ConstantTime.ToAffine(P256ConstantTime.Add(g, minusG), x, y));              // G + (−G) = O
        Assert.True(P256ConstantTime.ToAffine(P256ConstantTime.Add(g, P256ConstantTime.Identity), x, y)); // G + O = G
        Assert.Equal(Curve.G.AffineXCoord.GetEncoded(), x);

        var twoG = Curve.G.Twice().Normalize();
        Assert.True(P256ConstantTime.ToAffine(P256ConstantTime.Add(g, g), x, y));                      // addition doubles
        Assert.Equal(twoG.AffineXCoord.GetEncoded(), x);
        Assert.True(P256ConstantTime.ToAffine(P256ConstantTime.Double(g), x, y));
        Assert.Equal(twoG.AffineXCoord.GetEncoded(), x);
        Assert.Equal(twoG.AffineYCoord.GetEncoded(), y);
        Assert.False(P256ConstantTime.ToAffine(P256ConstantTime.Double(P256ConstantTime.Identity), x, y));
    }

    [Fact]
    public void Field_arithmetic_matches_biginteger_modulo_p_and_q()
    {
        foreach (BigInteger modulus in new[] { Prime, Order })
        {
            var field = new MontgomeryField(U256.FromBigEndian(Be(modulus)));
            Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[32]).Sample((ra, rb) =>
            {
                BigInteger a = new BigInteger(ra, isUnsigned: true, isBigEndian: true) % modulus;
                BigInteger b = new BigInteger(rb, isUnsigned: true, isBigEndian: true) % modulus;
                U256 ma = field.ToMontgomery(U256.FromBigEndian(Be(a)));
                U256 mb = field.ToMontgomery(U256.FromBigEndian(Be(b)));

                Assert.Equal(a * b % modulus, Big(field.FromMontgomery(field.Multiply(ma, mb))));
                Assert.Equal((a + b) % modulus, Big(field.FromMontgomery(field.Add(ma, mb))));
                Assert.Equal(((a - b) % modulus + modulus) % modulus, Big(field.FromMontgomery(field.Subtract(ma, mb))));
                BigInteger expectedInverse = a.IsZero ? 0 : BigInteger.ModPow(a, modulus - 2, modulus);
                Assert.Equal(expectedInverse, Big(field.FromMontgomery(field.Invert(ma))));
            }, iter: 200);
        }
    }

    [Fact]
    public void Scalar_multiply_add_matches_biginteger()
    {
        Gen.Select(Gen.Byte.Array[32], Gen.Byte.Array[16], Gen.Byte.Array[32]).Sample((rk, c, rx) =>
        {
            BigInteger k = new BigInteger(rk, isUnsigned: true, isBigEndian: true) % Order;
            BigInteger x = new BigInteger(rx, isUnsigned: true, isBigEndian: true) % Order;
            BigInteger ci = new(c, isUnsigned: true, isBigEndian: true);
            var s = new byte[32];
            P256Scalar.MultiplyAdd(Be(k), [.. new byte[16], .. c], Be(x), s);
            Assert.Equal((k + (ci * x)) % Order, new BigInteger(s, isUnsigned: true, isBigEndian: true));
        }, iter: 200);
    }

    private static BigInteger Big(U256 value)
    {
        var bytes = new byte[32];
        value.WriteBigEndian(bytes);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
    }

    private static byte[] Be(BigInteger value)
    {
        var bytes = new byte[32];
        byte[] raw = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        raw.CopyTo(bytes, 32 - raw.Length);
        return bytes;
    }
}
