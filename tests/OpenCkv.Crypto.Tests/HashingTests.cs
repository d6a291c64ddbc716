using System.Buffers.Binary;
using System.Security.Cryptography;
using CsCheck;
using OpenCkv.Crypto.Hashing;

namespace OpenCkv.Crypto.Tests;

/// <summary>Hashing, HMAC, commitments and node hashes against the BCL and hand-built encodings.</summary>
public sealed class HashingTests
{
    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Sha256_matches_the_bcl_for_every_length_up_to_300(string path)
    {
        Sha256Engine engine = Suites.Get(path).Sha256;
        byte[] data = RandomNumberGenerator.GetBytes(300);
        for (int length = 0; length <= data.Length; length++)
        {
            Assert.Equal(SHA256.HashData(data.AsSpan(0, length)), engine.Hash(data.AsSpan(0, length)));
        }
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Fixed_key_hmac_matches_the_bcl_for_short_block_and_long_keys(string path)
    {
        Sha256Engine engine = Suites.Get(path).Sha256;
        Gen.Select(Gen.Byte.Array[0, 150], Gen.Byte.Array[0, 200]).Sample((key, message) =>
        {
            var mac = new byte[32];
            engine.CreateHmac(key).Compute(message, mac);
            Assert.Equal(HMACSHA256.HashData(key, message), mac);
        }, iter: 300);
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Commitment_is_hmac_with_kc_over_the_tls_commitment_value(string path)
    {
        CommitmentScheme commitments = Suites.Get(path).Commitments;
        byte[] kc = Convert.FromHexString("d821f8790d97709796b4d7903357c3f5");
        Gen.Select(Gen.Byte.Array[16], Gen.Byte.Array[0, 255], Gen.UInt, Gen.Byte.Array[0, 300]).Sample((opening, label, version, value) =>
        {
            // struct { opaque opening[16]; opaque label<0..2^8-1>; uint32 version; UpdateValue update; }
            var encoded = new List<byte>(opening) { (byte)label.Length };
            encoded.AddRange(label);
            encoded.AddRange(BigEndian(version));
            encoded.AddRange(BigEndian((uint)value.Length));
            encoded.AddRange(value);

            var commitment = new byte[32];
            commitments.Compute(opening, label, version, value, [], commitment);
            Assert.Equal(HMACSHA256.HashData(kc, encoded.ToArray()), commitment);
            Assert.True(commitments.Verify(commitment, opening, label, version, value, []));
            Assert.False(commitments.Verify(commitment, opening, label, version + 1, value, []));
        }, iter: 100);
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Commitment_refuses_bad_openings_and_long_labels(string path)
    {
        CommitmentScheme commitments = Suites.Get(path).Commitments;
        var output = new byte[32];
        Assert.Throws<ArgumentException>(() => commitments.Compute(new byte[15], [], 0, [], [], output));
        Assert.Throws<ArgumentException>(() => commitments.Compute(new byte[16], new byte[256], 0, [], [], output));
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Tree_node_hashes_follow_the_draft_formulas(string path)
    {
        TreeHasher hasher = Suites.Get(path).TreeHashes;
        byte[] a = RandomNumberGenerator.GetBytes(32);
        byte[] b = RandomNumberGenerator.GetBytes(32);
        var actual = new byte[32];

        hasher.PrefixLeaf(a, b, actual);
        Assert.Equal(SHA256.HashData([0x02, .. a, .. b]), actual);

        hasher.PrefixParent(a, b, actual);
        Assert.Equal(SHA256.HashData([0x03, .. a, .. b]), actual);

        hasher.LogLeaf(0x0102030405060708, a, actual);
        Assert.Equal(SHA256.HashData([1, 2, 3, 4, 5, 6, 7, 8, .. a]), actual);

        hasher.LogParent(true, a, false, b, actual);
        Assert.Equal(SHA256.HashData([0x00, .. a, 0x01, .. b]), actual);
        hasher.LogParent(false, a, true, b, actual);
        Assert.Equal(SHA256.HashData([0x01, .. a, 0x00, .. b]), actual);
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }
}
