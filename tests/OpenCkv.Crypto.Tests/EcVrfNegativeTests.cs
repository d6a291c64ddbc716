using OpenCkv.Crypto.Vrf;

namespace OpenCkv.Crypto.Tests;

/// <summary>
/// Every single-bit change to a valid (key, input, proof) triple is rejected, and every malformed encoding is
/// rejected as invalid (false), never as an exception escaping the verifier.
/// </summary>
public sealed class EcVrfNegativeTests
{
    private static readonly Dictionary<string, string> Example =
        VectorFile.ReadBlocks("ecvrf-p256-sha256-tai.txt")[0].Values;

    private static readonly byte[] PublicKey = Example.Hex("PK");
    private static readonly byte[] Alpha = Example.Hex("alpha");
    private static readonly byte[] Proof = Example.Hex("pi");

    // P-256 field prime p and group order q, big-endian.
    private static readonly byte[] P = Convert.FromHexString("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff");
    private static readonly byte[] Q = Convert.FromHexString("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");

    private static bool Verifies(EcVrfP256 vrf, byte[] publicKey, byte[] alpha, byte[] proof) =>
        vrf.TryVerify(publicKey, alpha, proof, new byte[32]);

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void The_unmodified_example_verifies(string path) =>
        Assert.True(Verifies(Suites.Get(path).Vrf, PublicKey, Alpha, Proof));

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Every_flipped_bit_of_the_proof_is_rejected(string path)
    {
        EcVrfP256 vrf = Suites.Get(path).Vrf;
        for (int bit = 0; bit < Proof.Length * 8; bit++)
        {
            Assert.False(Verifies(vrf, PublicKey, Alpha, FlipBit(Proof, bit)), $"proof bit {bit}");
        }
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Every_flipped_bit_of_the_public_key_is_rejected(string path)
    {
        EcVrfP256 vrf = Suites.Get(path).Vrf;
        for (int bit = 0; bit < PublicKey.Length * 8; bit++)
        {
            Assert.False(Verifies(vrf, FlipBit(PublicKey, bit), Alpha, Proof), $"key bit {bit}");
        }
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Every_flipped_bit_of_the_input_is_rejected(string path)
    {
        EcVrfP256 vrf = Suites.Get(path).Vrf;
        for (int bit = 0; bit < Alpha.Length * 8; bit++)
        {
            Assert.False(Verifies(vrf, PublicKey, FlipBit(Alpha, bit), Proof), $"alpha bit {bit}");
        }

        Assert.False(Verifies(vrf, PublicKey, [], Proof));
        Assert.False(Verifies(vrf, PublicKey, [.. Alpha, 0x00], Proof));
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Wrong_lengths_are_rejected(string path)
    {
        EcVrfP256 vrf = Suites.Get(path).Vrf;
        Assert.False(Verifies(vrf, PublicKey, Alpha, Proof[..80]));
        Assert.False(Verifies(vrf, PublicKey, Alpha, [.. Proof, 0x00]));
        Assert.False(Verifies(vrf, PublicKey, Alpha, []));
        Assert.False(Verifies(vrf, PublicKey[..32], Alpha, Proof));
        Assert.False(Verifies(vrf, [.. PublicKey, 0x00], Alpha, Proof));
        Assert.False(Verifies(vrf, [], Alpha, Proof));
        Assert.False(Verifies(vrf, [0x00], Alpha, Proof)); // SEC1 encoding of the identity
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Invalid_point_encodings_are_rejected(string path)
    {
        EcVrfP256 vrf = Suites.Get(path).Vrf;
        foreach (byte prefix in new byte[] { 0x00, 0x01, 0x04, 0x05, 0x06, 0x07, 0xff })
        {
            byte[] key = (byte[])PublicKey.Clone();
            key[0] = prefix;
            Assert.False(Verifies(vrf, key, Alpha, Proof), $"key prefix {prefix}");
            byte[] proof = (byte[])Proof.Clone();
            proof[0] = prefix;
            Assert.False(Verifies(vrf, PublicKey, Alpha, proof), $"Gamma prefix {prefix}");
        }

        foreach (byte[] x in new[] { P, AddSmall(P, 1), AddSmall(P, 3), Enumerable.Repeat((byte)0xff, 32).ToArray() })
        {
            Assert.False(Verifies(vrf, [0x02, .. x], Alpha, Proof), "x >= p as a key");
            Assert.False(Verifies(vrf, PublicKey, Alpha, [0x02, .. x, .. Proof[33..]]), "x >= p as Gamma");
        }

        byte[] notOnCurve = NotOnCurveX();
        Assert.False(Verifies(vrf, [0x02, .. notOnCurve], Alpha, Proof));
        Assert.False(Verifies(vrf, PublicKey, Alpha, [0x03, .. notOnCurve, .. Proof[33..]]));
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void A_scalar_s_at_or_above_the_group_order_is_rejected(string path)
    {
        EcVrfP256 vrf = Suites.Get(path).Vrf;
        byte[] s = Proof[49..];
        Assert.False(Verifies(vrf, PublicKey, Alpha, [.. Proof[..49], .. Q]));
        Assert.False(Verifies(vrf, PublicKey, Alpha, [.. Proof[..49], .. Enumerable.Repeat((byte)0xff, 32)]));

        // s + q is the same residue: a verifier that reduced s instead of rejecting it would accept this.
        byte[] sPlusQ = AddBig(s, Q, out bool overflow);
        if (!overflow)
        {
            Assert.False(Verifies(vrf, PublicKey, Alpha, [.. Proof[..49], .. sPlusQ]));
        }
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Invalid_secret_keys_are_refused_as_misuse(string path)
    {
        EcVrfP256 vrf = Suites.Get(path).Vrf;
        Assert.Throws<ArgumentException>(() => vrf.ImportSecretKey(new byte[32]));
        Assert.Throws<ArgumentException>(() => vrf.ImportSecretKey(Q));
        Assert.Throws<ArgumentException>(() => vrf.ImportSecretKey(Enumerable.Repeat((byte)0xff, 32).ToArray()));
        Assert.Throws<ArgumentException>(() => vrf.ImportSecretKey(new byte[31]));
        Assert.Throws<ArgumentException>(() => vrf.ImportSecretKey(new byte[33]));
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void The_smallest_and_largest_secret_keys_prove_and_verify(string path)
    {
        EcVrfP256 vrf = Suites.Get(path).Vrf;
        byte[] one = new byte[32];
        one[31] = 1;
        byte[] qMinusOne = (byte[])Q.Clone();
        qMinusOne[31]--;
        foreach (byte[] secret in new[] { one, qMinusOne })
        {
            using VrfKeyPair key = vrf.ImportSecretKey(secret);
            byte[] proof = vrf.Prove(key, Alpha);
            Assert.True(Verifies(vrf, key.PublicKey.ToArray(), Alpha, proof));
        }
    }

    private static byte[] FlipBit(byte[] data, int bit)
    {
        byte[] copy = (byte[])data.Clone();
        copy[bit / 8] ^= (byte)(0x80 >> (bit % 8));
        return copy;
    }

    private static byte[] AddSmall(byte[] value, byte small) => AddBig(value, [.. new byte[31], small], out _);

    private static byte[] AddBig(byte[] a, byte[] b, out bool overflow)
    {
        var sum = new byte[32];
        int carry = 0;
        for (int i = 31; i >= 0; i--)
        {
            int t = a[i] + b[i] + carry;
            sum[i] = (byte)t;
            carry = t >> 8;
        }

        overflow = carry != 0;
        return sum;
    }

    /// <summary>An x below p for which x³ − 3x + b has no square root (found by scanning from 0 with BigInteger).</summary>
    private static byte[] NotOnCurveX()
    {
        var p = new System.Numerics.BigInteger(P, isUnsigned: true, isBigEndian: true);
        var b = System.Numerics.BigInteger.Parse("05ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", System.Globalization.NumberStyles.HexNumber);
        for (int x = 0; ; x++)
        {
            var rhs = ((System.Numerics.BigInteger.Pow(x, 3) - (3 * x) + b) % p + p) % p;
            if (System.Numerics.BigInteger.ModPow(rhs, (p - 1) / 2, p) == p - 1)
            {
                var bytes = new byte[32];
                bytes[31] = (byte)x;
                return bytes;
            }
        }
    }
}
