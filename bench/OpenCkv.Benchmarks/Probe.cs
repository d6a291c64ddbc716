using OpenCkv.Crypto.Portable;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Math;

namespace OpenCkv.Benchmarks;

/// <summary>Quick medians of the portable path's pieces, to see where its time goes (not a benchmark of record).</summary>
internal static class Probe
{
    public static void Run()
    {
        var curve = CustomNamedCurves.GetByName("secp256r1");
        var k = new BigInteger(1, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)).Mod(curve.N);
        var p = curve.G.Multiply(k).Normalize();
        byte[] enc = p.GetEncoded(true);
        byte[] kb = k.ToByteArrayUnsigned();
        byte[] x = p.AffineXCoord.GetEncoded(), y = p.AffineYCoord.GetEncoded();
        var ox = new byte[32];
        var oy = new byte[32];
        Report("bc decode compressed", () => curve.Curve.DecodePoint(enc));
        Report("bc var-base multiply", () => p.Multiply(k).Normalize());
        Report("bc sum of two multiplies", () => Org.BouncyCastle.Math.EC.ECAlgorithms.SumOfTwoMultiplies(curve.G, k, p, k).Normalize());
        Report("bc sum of two (fresh point)", () => Org.BouncyCastle.Math.EC.ECAlgorithms.SumOfTwoMultiplies(curve.G, k, curve.Curve.DecodePoint(enc), k).Normalize());
        Report("ct multiply", () => P256ConstantTime.Multiply(kb.Length == 32 ? kb : [.. new byte[32 - kb.Length], .. kb], x, y, ox, oy));
        var f = new MontgomeryField(U256.FromHex("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff"));
        U256 a = f.ToMontgomery(U256.FromBigEndian(x));
        Report("field multiply x1000", () => { U256 r = a; for (int i = 0; i < 1000; i++) { r = f.Multiply(r, a); } });
        Report("field add x1000", () => { U256 r = a; for (int i = 0; i < 1000; i++) { r = f.Add(r, a); } });
    }

    private static void Report(string name, Action action) =>
        Console.WriteLine($"{name,-32} {Timing.MedianMicros(action, 101, 20),10:F1} µs");
}
