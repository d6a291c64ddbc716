using System.Diagnostics;
using System.Security.Cryptography;
using OpenCkv.Crypto.Hashing;
using OpenCkv.Crypto.Native;
using OpenCkv.Crypto.Portable;

namespace OpenCkv.Benchmarks;

/// <summary>
/// A dudect-style timing-leakage check (Reparaz, Balasch, Verbauwhede, "Dude, is my code constant time?", 2017)
/// of every operation that handles a VRF secret: timings for a fixed secret (class A) and fresh random secrets
/// (class B) are taken in random interleaved order and compared with Welch's t-test, on all samples and on the
/// samples below the pooled 50th and 90th percentiles. |t| above 4.5 is evidence of a leak; below it, none was
/// detected at this sample size. A measurement, not a proof: the design argument is in docs/benchmarks.md.
/// </summary>
internal static class LeakageCheck
{
    private const double Threshold = 4.5;

    public static int Run(int samplesPerClass)
    {
        bool leak = false;
        byte[] one = new byte[32];
        one[31] = 1;
        Console.WriteLine("class A = a fixed random full-length secret; class B = fresh random secrets");
        leak |= RunAll(samplesPerClass, RandomScalar());
        Console.WriteLine("class A = the secret 1 (one set bit: the most skewed input a window-skipping multiplier could see)");
        leak |= RunAll(samplesPerClass, one);
        // Control: BouncyCastle's default (wNAF) multiplier skips zero digits, so the method must flag it.
        var curve = Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("secp256r1");
        bool controlFlagged = Check("control: BouncyCastle wNAF k·G (not CT)", samplesPerClass / 4, one,
            s => curve.G.Multiply(new Org.BouncyCastle.Math.BigInteger(1, s)).Normalize());
        Console.WriteLine(controlFlagged ? "control flagged as expected" : "CONTROL NOT FLAGGED: the check is not sensitive here");
        Console.WriteLine(leak ? "LEAK SUSPECTED (|t| > 4.5)" : "no timing difference detected (all |t| <= 4.5)");
        return leak || !controlFlagged ? 1 : 0;
    }

    private static bool RunAll(int samplesPerClass, byte[] fixedScalar)
    {
        byte[] px = Convert.FromHexString("6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296");
        byte[] py = Convert.FromHexString("4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5");
        var ox = new byte[32];
        var oy = new byte[32];
        bool leak = false;
        leak |= Check("portable k·P (P256ConstantTime)", samplesPerClass / 4, fixedScalar,
            s => P256ConstantTime.Multiply(s, px, py, ox, oy));
        byte[] challenge = [.. new byte[16], .. px[..16]];
        var sum = new byte[32];
        leak |= Check("s = k + c·x mod q, k = x = secret (x100)", samplesPerClass, fixedScalar, s =>
        {
            for (int i = 0; i < 100; i++)
            {
                P256Scalar.MultiplyAdd(s, challenge, s, sum);
            }
        });

        if (LibCrypto.Instance is { } lib)
        {
            var group = new NativeP256Group(lib, new NativeSha256Engine(lib));
            group.TryDecompress([0x03, .. px], out nint point);
            leak |= Check("native k·P (EC_POINT_mul)", samplesPerClass, fixedScalar, s => group.Release(group.MultiplySecret(s, point)));
            leak |= Check("native k·G (EC_POINT_mul)", samplesPerClass, fixedScalar, s => group.Release(group.MultiplyBaseSecret(s)));
        }

        return leak;
    }

    private static bool Check(string name, int samplesPerClass, byte[] fixedSecret, Action<byte[]> operation)
    {
        var secrets = new byte[2 * samplesPerClass][];
        var classOf = new bool[secrets.Length];
        var rng = new Random(12345);
        for (int i = 0; i < classOf.Length; i++)
        {
            classOf[i] = i < samplesPerClass;
        }

        // Interleave the classes in random order so drift on a shared machine hits both alike.
        for (int i = classOf.Length - 1; i > 0; i--)
        {
            int j = rng.Next(i + 1);
            (classOf[i], classOf[j]) = (classOf[j], classOf[i]);
        }

        // Allocate in measurement order, so the two classes' arrays are interleaved in memory too; class A gets
        // its own copy of the fixed secret each time, so both classes read fresh arrays.
        for (int i = 0; i < secrets.Length; i++)
        {
            secrets[i] = classOf[i] ? (byte[])fixedSecret.Clone() : RandomScalar();
        }

        for (int i = 0; i < Math.Min(200, secrets.Length); i++)
        {
            operation(secrets[i]); // warm up the JIT and caches
        }

        var times = new double[secrets.Length];
        for (int i = 0; i < secrets.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            operation(secrets[i]);
            times[i] = Stopwatch.GetTimestamp() - start;
        }

        double[] sorted = (double[])times.Clone();
        Array.Sort(sorted);
        double tAll = WelchT(times, classOf, double.MaxValue);
        double t50 = WelchT(times, classOf, sorted[sorted.Length / 2]);
        double t90 = WelchT(times, classOf, sorted[(int)(sorted.Length * 0.9)]);
        double worst = new[] { tAll, t50, t90 }.Max(Math.Abs);
        double medianMicros = sorted[sorted.Length / 2] * 1e6 / Stopwatch.Frequency;
        double cutoff90 = sorted[(int)(sorted.Length * 0.9)];
        double deltaNanos = (MeanBelow(times, classOf, true, cutoff90) - MeanBelow(times, classOf, false, cutoff90)) * 1e9 / Stopwatch.Frequency;
        Console.WriteLine(
            $"{name,-40} n={samplesPerClass,6}/class  median {medianMicros,8:F1} µs  t(all)={tAll,6:F2}  t(<p50)={t50,6:F2}  t(<p90)={t90,6:F2}  A−B(<p90)={deltaNanos,7:F1} ns  {(worst > Threshold ? "LEAK?" : "ok")}");
        return worst > Threshold;
    }

    private static double MeanBelow(double[] times, bool[] classOf, bool classA, double cutoff)
    {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < times.Length; i++)
        {
            if (classOf[i] == classA && times[i] <= cutoff)
            {
                sum += times[i];
                n++;
            }
        }

        return sum / n;
    }

    private static double WelchT(double[] times, bool[] classOf, double cutoff)
    {
        double sumA = 0, sumB = 0, sqA = 0, sqB = 0;
        int nA = 0, nB = 0;
        for (int i = 0; i < times.Length; i++)
        {
            if (times[i] > cutoff)
            {
                continue;
            }

            if (classOf[i])
            {
                nA++;
                sumA += times[i];
                sqA += times[i] * times[i];
            }
            else
            {
                nB++;
                sumB += times[i];
                sqB += times[i] * times[i];
            }
        }

        double meanA = sumA / nA, meanB = sumB / nB;
        double varA = (sqA / nA) - (meanA * meanA), varB = (sqB / nB) - (meanB * meanB);
        return (meanA - meanB) / Math.Sqrt((varA / nA) + (varB / nB));
    }

    private static byte[] RandomScalar()
    {
        byte[] s = RandomNumberGenerator.GetBytes(32);
        s[0] &= 0x7f;
        s[31] |= 1;
        return s;
    }
}
