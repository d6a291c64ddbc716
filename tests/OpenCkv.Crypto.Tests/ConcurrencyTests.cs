using System.Security.Cryptography;
using OpenCkv.Crypto.Vrf;

namespace OpenCkv.Crypto.Tests;

/// <summary>Shared state behind the suites (cached VRF keys, per-thread scratch) under concurrent first use.</summary>
public sealed class ConcurrencyTests
{
    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Concurrent_first_verifications_under_fresh_keys_all_succeed(string path)
    {
        EcVrfP256 vrf = Suites.Get(path).Vrf;
        for (int round = 0; round < 3; round++)
        {
            using VrfKeyPair key = vrf.GenerateKeyPair();
            byte[] publicKey = key.PublicKey.ToArray();
            byte[][] proofs = Enumerable.Range(0, 8).Select(i => vrf.Prove(key, BitConverter.GetBytes(i))).ToArray();
            var failures = 0;
            Parallel.For(0, 64, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            {
                var output = new byte[32];
                if (!vrf.TryVerify(publicKey, BitConverter.GetBytes(i % 8), proofs[i % 8], output))
                {
                    Interlocked.Increment(ref failures);
                }
            });
            Assert.Equal(0, failures);
        }
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Long_inputs_hash_like_the_bcl(string path)
    {
        byte[] data = RandomNumberGenerator.GetBytes(1 << 20);
        Assert.Equal(SHA256.HashData(data), Suites.Get(path).Sha256.Hash(data));
        var mac = new byte[32];
        Suites.Get(path).Sha256.CreateHmac("k"u8).Compute(data, mac);
        Assert.Equal(HMACSHA256.HashData("k"u8, data), mac);
    }
}
