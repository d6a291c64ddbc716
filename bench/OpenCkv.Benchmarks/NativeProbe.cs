using OpenCkv.Crypto;
using OpenCkv.Crypto.Native;
using OpenCkv.Crypto.Hashing;

namespace OpenCkv.Benchmarks;

/// <summary>Medians of the native path's pieces (decompression, double multiplications), to see where verify spends.</summary>
internal static class NativeProbe
{
    public static void Run()
    {
        var lib = LibCrypto.Instance!;
        var group = new NativeP256Group(lib, new NativeSha256Engine(lib));
        using var key = CryptoSuite.Native!.Vrf.GenerateKeyPair();
        byte[] pk = key.PublicKey.ToArray();
        byte[] s = new byte[32];
        s[0] = 0x55;
        s[31] = 7;
        group.TryDecompress(pk, out nint y);
        Report("decompress", () => { group.TryDecompress(pk, out nint p); group.Release(p); });
        Report("s·B + c·Y (EC_POINT_mul)", () => group.Release(group.MultiplyAddBase(s, s, y)));
        Report("s·H + c·G (EC_POINTs_mul)", () => group.Release(group.MultiplyAdd(s, y, s, y)));
        Report("k·P secret", () => group.Release(group.MultiplySecret(s, y)));
        Report("k·G secret", () => group.Release(group.MultiplyBaseSecret(s)));
        var output = new byte[32];
        byte[] proof = CryptoSuite.Native.Vrf.Prove(key, "abc"u8);
        Report("verify", () => CryptoSuite.Native.Vrf.TryVerify(pk, "abc"u8, proof, output));
        Report("prove", () => CryptoSuite.Native.Vrf.Prove(key, "abc"u8));
    }

    private static void Report(string name, Action action) =>
        Console.WriteLine($"{name,-32} {Timing.MedianMicros(action, 1001, 3000),10:F1} µs");
}
