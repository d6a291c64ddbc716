using System.Diagnostics;
using System.Text.Json;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Vrf;

namespace OpenCkv.Cli;

/// <summary>
/// `ckv selfcheck`: proves and verifies RFC 9381 Appendix B.1 example 10 on every crypto path the machine has,
/// checks that a flipped proof bit is rejected, reports median timings, then walks a key-transparency log in a
/// temporary SQLite file through the user operations (<see cref="LogWalkthrough"/>). Exit 1 if any check fails.
/// </summary>
internal static class SelfCheckCommand
{
    private static readonly byte[] SecretKey = Convert.FromHexString("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    private static readonly byte[] ExpectedProof = Convert.FromHexString(
        "035b5c726e8c0e2c488a107c600578ee75cb702343c153cb1eb8dec77f4b5071b4a53f0a46f018bc2c56e58d383f2305e0975972c26feea0eb122fe7893c15af376b33edf7de17c6ea056d4d82de6bc02f");
    private static readonly byte[] ExpectedOutput = Convert.FromHexString("a3ad7b0ef73d8fc6655053ea22f9bede8c743f08bbed3d38821f0e16474b505e");

    private sealed record PathReport(string Path, bool KnownAnswerOk, bool ForgeryRejected, double ProveMicros, double VerifyMicros);

    public static int Run(bool json)
    {
        var suites = new List<CryptoSuite> { CryptoSuite.Portable };
        if (CryptoSuite.Native is { } native)
        {
            suites.Insert(0, native);
        }

        var reports = suites.Select(Check).ToList();
        List<(string Step, string Result)> walkthrough = LogWalkthrough.Run();
        bool ok = reports.All(r => r.KnownAnswerOk && r.ForgeryRejected) && walkthrough.All(s => s.Result.StartsWith("ok", StringComparison.Ordinal));
        if (json)
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                ok,
                fastest = CryptoSuite.Fastest.Path.ToString(),
                paths = reports,
                walkthrough = walkthrough.Select(s => new { step = s.Step, result = s.Result }),
            }));
        }
        else
        {
            Console.WriteLine("OpenCKV self-check: suite KT_128_SHA256_P256 (ECVRF-P256-SHA256-TAI, ECDSA P-256, SHA-256)");
            Console.WriteLine($"fastest path on this machine: {CryptoSuite.Fastest.Path}");
            foreach (PathReport r in reports)
            {
                Console.WriteLine(
                    $"  {r.Path,-9} RFC 9381 example 10: {(r.KnownAnswerOk ? "ok" : "MISMATCH")}, " +
                    $"flipped proof bit: {(r.ForgeryRejected ? "rejected" : "ACCEPTED")}, " +
                    $"prove {r.ProveMicros:F0} µs, verify {r.VerifyMicros:F0} µs (median of 50 cold runs; benchmarks: docs/benchmarks.md)");
            }

            Console.WriteLine("key transparency walkthrough (a log in a temporary SQLite file):");
            foreach ((string step, string result) in walkthrough)
            {
                Console.WriteLine($"  {step}: {result}");
            }

            Console.WriteLine(ok ? "all checks passed" : "SELF-CHECK FAILED");
        }

        return ok ? 0 : 1;
    }

    private static PathReport Check(CryptoSuite suite)
    {
        EcVrfP256 vrf = suite.Vrf;
        using VrfKeyPair key = vrf.ImportSecretKey(SecretKey);
        byte[] alpha = "sample"u8.ToArray();
        byte[] proof = vrf.Prove(key, alpha);
        var output = new byte[EcVrfP256.OutputSize];
        bool verified = vrf.TryVerify(key.PublicKey, alpha, proof, output);
        bool knownAnswer = verified && proof.AsSpan().SequenceEqual(ExpectedProof) && output.AsSpan().SequenceEqual(ExpectedOutput);

        byte[] forged = (byte[])proof.Clone();
        forged[40] ^= 0x01;
        bool rejected = !vrf.TryVerify(key.PublicKey, alpha, forged, output);

        double prove = Median(() => vrf.Prove(key, alpha));
        double verify = Median(() => vrf.TryVerify(key.PublicKey, alpha, proof, output));
        return new PathReport(suite.Path.ToString(), knownAnswer, rejected, prove, verify);
    }

    private static double Median(Action action)
    {
        var samples = new double[50];
        for (int i = 0; i < samples.Length; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }

        Array.Sort(samples);
        return samples[samples.Length / 2];
    }
}
