using OpenCkv.Crypto.Vrf;

namespace OpenCkv.Crypto.Tests;

/// <summary>RFC 9381 Appendix B.1 examples 10 and 11 (ECVRF-P256-SHA256-TAI), intermediates included.</summary>
public sealed class EcVrfVectorTests
{
    private static readonly IReadOnlyList<(string Name, Dictionary<string, string> Values)> Blocks =
        VectorFile.ReadBlocks("ecvrf-p256-sha256-tai.txt");

    private static IEnumerable<Dictionary<string, string>> RfcExamples =>
        Blocks.Where(b => b.Name.StartsWith("P256-TAI", StringComparison.Ordinal)).Select(b => b.Values);

    [Fact]
    public void The_vector_file_holds_both_rfc_examples_and_the_old_draft_value()
    {
        Assert.Equal(2, RfcExamples.Count());
        Assert.Single(Blocks, b => b.Name.StartsWith("OLD", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Public_key_hash_to_curve_proof_and_output_match_every_example(string path)
    {
        EcVrfP256 vrf = Suites.Get(path).Vrf;
        foreach (var v in RfcExamples)
        {
            using VrfKeyPair key = vrf.ImportSecretKey(v.Hex("SK"));
            Assert.Equal(v.Hex("PK"), key.PublicKey.ToArray());

            byte[] proof = vrf.Prove(key, v.Hex("alpha"));
            Assert.Equal(v.Hex("pi"), proof);
            Assert.Equal(v.Hex("pi_Gamma"), proof[..33]);
            Assert.Equal(v.Hex("pi_c"), proof[33..49]);
            Assert.Equal(v.Hex("pi_s"), proof[49..]);

            var output = new byte[32];
            Assert.True(vrf.TryVerify(v.Hex("PK"), v.Hex("alpha"), v.Hex("pi"), output));
            Assert.Equal(v.Hex("beta"), output);

            var evaluated = new byte[32];
            vrf.Evaluate(key, v.Hex("alpha"), evaluated);
            Assert.Equal(v.Hex("beta"), evaluated);
        }
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void Intermediate_values_H_k_U_V_match(string path)
    {
        foreach (var v in RfcExamples)
        {
            var trace = VrfTrace.Run(Suites.Get(path), v.Hex("SK"), v.Hex("alpha"));
            Assert.Equal(v.Hex("H"), trace.H);
            Assert.Equal(v.Hex("k"), trace.K);
            Assert.Equal(v.Hex("U"), trace.U);
            Assert.Equal(v.Hex("V"), trace.V);
        }
    }

    [Theory]
    [MemberData(nameof(Suites.Paths), MemberType = typeof(Suites))]
    public void The_old_draft_06_values_are_not_produced_and_do_not_verify(string path)
    {
        EcVrfP256 vrf = Suites.Get(path).Vrf;
        var example = RfcExamples.First();
        var old = Blocks.Single(b => b.Name.StartsWith("OLD", StringComparison.Ordinal)).Values;
        using VrfKeyPair key = vrf.ImportSecretKey(example.Hex("SK"));

        byte[] proof = vrf.Prove(key, old.Hex("alpha"));
        Assert.NotEqual(old.Hex("pi"), proof);
        var trace = VrfTrace.Run(Suites.Get(path), example.Hex("SK"), old.Hex("alpha"));
        Assert.NotEqual(old.Hex("H"), trace.H);

        var output = new byte[32];
        Assert.False(vrf.TryVerify(example.Hex("PK"), old.Hex("alpha"), old.Hex("pi"), output));
        vrf.Evaluate(key, old.Hex("alpha"), output);
        Assert.NotEqual(old.Hex("beta"), output);
    }
}
