using System.Security.Cryptography;

namespace OpenCkv.KeyTransparency.Tests;

/// <summary>The conformance facade against known answers and the draft's formulas.</summary>
public sealed class ConformanceTests
{
    private static readonly byte[] Sk = Convert.FromHexString("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721");
    private static readonly byte[] Pk = Convert.FromHexString("0360fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6");
    private static readonly byte[] Pi = Convert.FromHexString("035b5c726e8c0e2c488a107c600578ee75cb702343c153cb1eb8dec77f4b5071b4a53f0a46f018bc2c56e58d383f2305e0975972c26feea0eb122fe7893c15af376b33edf7de17c6ea056d4d82de6bc02f");
    private static readonly byte[] Beta = Convert.FromHexString("a3ad7b0ef73d8fc6655053ea22f9bede8c743f08bbed3d38821f0e16474b505e");

    [Fact]
    public void Vrf_methods_reproduce_rfc_9381_example_10()
    {
        Assert.Equal(Pk, Conformance.VrfPublicKey(Sk));
        Assert.Equal(Pi, Conformance.VrfProve(Sk, "sample"u8.ToArray()));
        Assert.Equal(Beta, Conformance.VrfVerify(Pk, "sample"u8.ToArray(), Pi));
        Assert.Null(Conformance.VrfVerify(Pk, "samplf"u8.ToArray(), Pi));
        Assert.Null(Conformance.VrfVerify(Pk, "sample"u8.ToArray(), Pi[..80]));
    }

    [Fact]
    public void VrfInput_is_a_one_byte_length_label_then_a_uint32_version()
    {
        Assert.Equal(Convert.FromHexString("05616c696365" + "00000003"), Conformance.VrfInput("alice"u8.ToArray(), 3));
        Assert.Equal(Convert.FromHexString("00" + "ffffffff"), Conformance.VrfInput([], uint.MaxValue));
        Assert.Throws<ArgumentException>(() => Conformance.VrfInput(new byte[256], 0));
    }

    [Fact]
    public void Commit_and_leaf_hashes_follow_the_draft()
    {
        byte[] opening = Enumerable.Range(0, 16).Select(i => (byte)i).ToArray();
        byte[] expectedCommit = HMACSHA256.HashData(
            Convert.FromHexString("d821f8790d97709796b4d7903357c3f5"),
            (byte[])[.. opening, 0x01, (byte)'L', 0, 0, 0, 9, 0, 0, 0, 2, 0xbe, 0xef]);
        byte[] commitment = Conformance.Commit(opening, "L"u8.ToArray(), 9, [0xbe, 0xef]);
        Assert.Equal(expectedCommit, commitment);

        Assert.Equal(SHA256.HashData([0x02, .. Beta, .. commitment]), Conformance.PrefixLeaf(Beta, commitment));
        Assert.Equal(SHA256.HashData([0, 0, 1, 0x8c, 0x5e, 0x6c, 0x8a, 0x00, .. Beta]), Conformance.LogLeaf(0x18c5e6c8a00, Beta));
    }

    [Fact]
    public void Tree_maths_methods_answer_the_draft_examples()
    {
        Assert.Equal(31UL, Conformance.ImplicitRoot(50));
        Assert.Equal(new ulong[] { 31, 47, 49 }, Conformance.Frontier(50));
        Assert.Equal(new uint[] { 0, 1, 3, 7, 5, 6 }, Conformance.BaseLadder(6));
        Assert.Equal(new uint[] { 0, 1, 3, 2 }, Conformance.SearchLadder(2, 2));
        Assert.Equal(new uint[] { 0, 1, 3, 5, 6 }, Conformance.MonitoringLadder(6));
        Assert.Throws<ArgumentOutOfRangeException>(() => Conformance.ImplicitRoot(0));
    }

    [Fact]
    public void Tree_roots_match_the_slow_references()
    {
        var leaves = Enumerable.Range(0, 23).Select(i => SHA256.HashData(BitConverter.GetBytes(i))).ToList();
        Assert.Equal(
            Trees.LogTreeProofTests.ReferenceRoot(leaves.Select(l => Hash32.From(l)).ToList(), 0, 23).ToArray(),
            Conformance.LogRoot(leaves));
        Assert.Equal(leaves[0], Conformance.LogRoot([leaves[0]]));

        var prefixLeaves = leaves.Select(l => (VrfOutput: l, Commitment: SHA256.HashData(l))).ToList();
        Assert.Equal(
            Trees.PrefixTreeTests.ReferenceRoot(prefixLeaves.Select(l => new PrefixLeaf(Hash32.From(l.VrfOutput), Hash32.From(l.Commitment))).ToList()).ToArray(),
            Conformance.PrefixRoot(prefixLeaves));
        Assert.Equal(new byte[32], Conformance.PrefixRoot([]));
        Assert.Equal(Conformance.PrefixLeaf(prefixLeaves[0].VrfOutput, prefixLeaves[0].Commitment), Conformance.PrefixRoot([prefixLeaves[0]]));
    }
}
