using System.Security.Cryptography;
using System.Text;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Trees;

namespace OpenCkv.KnownAnswers;

/// <summary>
/// Builds the text of each known-answer file from fixed inputs: every key, opening, timestamp and signature is
/// derived deterministically, so a second run writes the same bytes. Files are "## case" blocks of
/// "name = value" lines (hex for bytes), like the RFC vector files in tests.
/// </summary>
public static partial class KnownAnswerGenerator
{
    private static readonly CryptoSuite Suite = CryptoSuite.Portable;

    /// <summary>File name → contents.</summary>
    public static IReadOnlyDictionary<string, string> Generate() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["keytrans-vrf-commitment.txt"] = VrfAndCommitments(),
        ["keytrans-trees.txt"] = Trees(),
        ["keytrans-search.txt"] = Searches(),
        ["keytrans-auditing.txt"] = Auditing(),
        ["ckv-protocol.txt"] = Protocol(),
    };

    internal static byte[] Seeded(string name, int length = 32) => SHA256.HashData(Encoding.UTF8.GetBytes("OpenCKV KAT " + name))[..length];

    internal static byte[] SecretScalar(string name)
    {
        byte[] key = Seeded(name);
        key[0] &= 0x7f;
        return key;
    }

    private static string VrfAndCommitments()
    {
        var text = Header("VRF inputs, outputs and proofs (KT §11.7, RFC 9381) and commitments (KT §11.6)");
        using VrfKeyPair key = Suite.Vrf.ImportSecretKey(SecretScalar("vrf"));
        foreach ((string label, uint version) in new[] { ("mailto:alice@example.com", 0u), ("mailto:alice@example.com", 1u), ("tel:+12025550101", 7u) })
        {
            byte[] alpha = TlsCodec.Encode(new VrfInput(Encoding.ASCII.GetBytes(label), version));
            byte[] proof = Suite.Vrf.Prove(key, alpha);
            var output = new byte[32];
            Suite.Vrf.ProofToHash(proof, output);
            byte[] opening = Seeded($"opening {label} {version}", 16);
            byte[] value = Seeded($"value {label} {version}", 20);
            var commitment = new byte[32];
            Suite.Commitments.Compute(opening, Encoding.ASCII.GetBytes(label), version, value, [], commitment);
            text.Append($"\n## {label} v{version}\n");
            Line(text, "vrf_sk", key.ExportSecretKey());
            Line(text, "vrf_pk", key.PublicKey.ToArray());
            Line(text, "vrf_input", alpha);
            Line(text, "vrf_proof", proof);
            Line(text, "vrf_output", output);
            Line(text, "opening", opening);
            Line(text, "value", value);
            Line(text, "commitment", commitment);
        }

        return text.ToString();
    }

    private static string Trees()
    {
        var text = Header("Prefix trees (KT §3.3, §11.9, §12.2) and log trees (KT §3.2, §11.8, §12.1)");
        PrefixTree tree = PrefixTree.Empty(Suite.TreeHashes);
        var leaves = Enumerable.Range(0, 12).Select(i => new PrefixLeaf(Hash32.From(Seeded($"key {i}")), Hash32.From(Seeded($"commitment {i}")))).ToArray();
        tree = tree.Insert(leaves);
        Hash32[] keys = [leaves[3].VrfOutput, Hash32.From(Seeded("absent 1")), leaves[9].VrfOutput, Hash32.From(Seeded("absent 2"))];
        text.Append("\n## prefix tree of 12 leaves, search for 4 keys (2 present)\n");
        for (int i = 0; i < leaves.Length; i++)
        {
            Line(text, $"leaf_{i:D2}", TlsCodec.Encode(leaves[i]));
        }

        for (int i = 0; i < keys.Length; i++)
        {
            Line(text, $"search_{i}", keys[i].ToArray());
        }

        Line(text, "root", tree.Root.ToArray());
        Line(text, "prefix_proof", TlsCodec.Encode(tree.Search(keys)));
        Line(text, "empty_root", PrefixTree.Empty(Suite.TreeHashes).Root.ToArray());
        Line(text, "one_leaf_root", PrefixTree.Empty(Suite.TreeHashes).Insert([leaves[0]]).Root.ToArray());

        var log = new InMemoryLogTree(Suite.TreeHashes);
        for (int i = 0; i < 13; i++)
        {
            log.Append(Hash32.From(Seeded($"log leaf {i}")));
        }

        var shape = new LogProofShape(13, [7, 11, 12], retainedSize: 4);
        text.Append("\n## log tree of 13 leaves; proof for leaves 7, 11, 12 from a retained size of 4 (Appendix C.1)\n");
        for (ulong i = 0; i < 13; i++)
        {
            Line(text, $"leaf_{i:D2}", log.Leaf(i).ToArray());
        }

        Line(text, "root", log.Root(13).ToArray());
        Line(text, "root_at_4", log.Root(4).ToArray());
        Line(text, "inclusion_proof", TlsCodec.Encode(new InclusionProof(log.ProofElements(shape))));
        return text.ToString();
    }

    private static string Searches()
    {
        var text = Header("A contact-monitoring log of 13 entries and every user operation against it (KT §13, Appendix C.1)");
        byte[] signingScalar = SecretScalar("signing");
        using var signingKey = EcdsaP256PrivateKey.Import(signingScalar);
        using VrfKeyPair vrfKey = Suite.Vrf.ImportSecretKey(SecretScalar("vrf"));
        var configuration = new Configuration
        {
            Mode = DeploymentMode.ContactMonitoring,
            SignaturePublicKey = signingKey.PublicKey.Encoded.ToArray(),
            VrfPublicKey = vrfKey.PublicKey.ToArray(),
            MaxAhead = 60_000,
            MaxBehind = 86_400_000,
            ReasonableMonitoringWindow = 30,
            MaximumLifetime = null,
        };
        TransparencyLog log = DeterministicLog(configuration, signingKey, vrfKey, signingScalar, "opening");

        byte[] alice = Encoding.ASCII.GetBytes("mailto:alice@example.com");
        byte[] bob = Encoding.ASCII.GetBytes("tel:+12025550101");
        var insertions = new Dictionary<int, (byte[] Label, string Value)[]>
        {
            [0] = [(alice, "alice 0"), (bob, "bob 0")],
            [2] = [(alice, "alice 1")],
            [5] = [(bob, "bob 1")],
            [9] = [(alice, "alice 2")],
        };

        text.Append("\n## log\n");
        Line(text, "configuration", TlsCodec.Encode(configuration));
        Line(text, "configuration_sha256", configuration.Fingerprint().ToArray());
        byte[]? firstContact = null;
        ClientState? state = null;
        byte[]? atTen = null;
        VerifiedSearch? monitoredSearch = null;
        for (int i = 0; i < 13; i++)
        {
            foreach ((byte[] label, string value) in insertions.GetValueOrDefault(i, []))
            {
                log.Stage(label, Encoding.ASCII.GetBytes(value));
            }

            log.Sequence((ulong)(1_750_000_000_000 + (10 * i)));
            if (i == 3)
            {
                var request = new SearchRequest(null, alice, null);
                SearchResponse response = log.Search(request);
                firstContact = Encode(response, request, configuration.Mode);
                state = SearchVerifier.Verify(Suite, configuration, null, request, response, 1_750_000_000_030).State;
            }

            if (i == 9)
            {
                // Alice's version 2 has just been added: a contact who looks her up must monitor it (KT §8.2).
                var request = new SearchRequest(null, alice, null);
                SearchResponse response = log.Search(request);
                atTen = Encode(response, request, configuration.Mode);
                monitoredSearch = SearchVerifier.Verify(Suite, configuration, null, request, response, 1_750_000_000_090);
            }
        }

        text.Append("\n## first contact at size 4: greatest version of alice\n");
        Line(text, "request", TlsCodec.Encode(new SearchRequest(null, alice, null)));
        Line(text, "response", firstContact!);

        var returning = new SearchRequest(state!.TreeSize, alice, null);
        text.Append("\n## returning client (last = 4) at size 13: greatest version of alice\n");
        Line(text, "request", TlsCodec.Encode(returning));
        Line(text, "response", Encode(log.Search(returning), returning, configuration.Mode));

        var fixedRequest = new SearchRequest(null, bob, 0);
        text.Append("\n## first contact at size 13: version 0 of bob\n");
        Line(text, "request", TlsCodec.Encode(fixedRequest));
        Line(text, "response", Encode(log.Search(fixedRequest), fixedRequest, configuration.Mode));

        text.Append("\n## first contact at size 10: greatest version of alice, which must then be monitored\n");
        Line(text, "request", TlsCodec.Encode(new SearchRequest(null, alice, null)));
        Line(text, "response", atTen!);

        AppendOperations(text, log, configuration, monitoredSearch!, alice);
        return text.ToString();
    }

    private static byte[] Encode(SearchResponse response, SearchRequest request, DeploymentMode mode)
    {
        var writer = new TlsWriter();
        response.Encode(writer, request.Version is not null, mode);
        return writer.ToArray();
    }

    /// <summary>A log whose openings come from <paramref name="openingSeed"/> and whose heads are RFC 6979 signatures.</summary>
    internal static TransparencyLog DeterministicLog(
        Configuration configuration, EcdsaP256PrivateKey signingKey, VrfKeyPair vrfKey, byte[] signingScalar, string openingSeed)
    {
        TransparencyLog log = TransparencyLog.Create(Suite, configuration, signingKey, vrfKey);
        log.UseDeterministicSources(
            (label, version) => Seeded($"{openingSeed} {Convert.ToHexString(label)} {version}", 16),
            message => DeterministicEcdsa.Sign(signingScalar, message));
        return log;
    }

    internal static StringBuilder Header(string title) => new StringBuilder()
        .Append("# OpenCKV known answers: ").Append(title).Append('\n')
        .Append("# Generated by tools/OpenCkv.KnownAnswers from fixed seeds; ").Append(KtDraft.ProtocolRevision).Append(".\n")
        .Append("# Suite KT_128_SHA256_P256. Values are lower-case hex; TLS-encoded structures are marked by their name.\n");

    internal static void Line(StringBuilder text, string name, byte[] value) =>
        text.Append(name).Append(" = ").Append(Convert.ToHexStringLower(value)).Append('\n');
}
