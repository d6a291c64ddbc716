using OpenCkv.Crypto;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KnownAnswers;

namespace OpenCkv.KeyTransparency.Tests.Vectors;

/// <summary>
/// The project's own KEYTRANS known-answer files: the generator must reproduce them bit for bit, and the recorded
/// search responses must verify on every crypto path (the generator runs on the portable path).
/// </summary>
public sealed class KnownAnswerFileTests
{
    private static string Read(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "testdata", name));

    [Fact]
    public void The_generator_reproduces_every_file_bit_for_bit()
    {
        IReadOnlyDictionary<string, string> generated = KnownAnswerGenerator.Generate();
        Assert.Equal(5, generated.Count);
        foreach ((string name, string contents) in generated)
        {
            Assert.Equal(Read(name), contents);
        }
    }

    [Theory]
    [InlineData(nameof(CryptoPath.Portable))]
    [InlineData(nameof(CryptoPath.Native))]
    public void Recorded_search_responses_verify_and_chain(string path)
    {
        CryptoSuite suite = path == nameof(CryptoPath.Native) ? CryptoSuite.Native ?? CryptoSuite.Portable : CryptoSuite.Portable;
        var blocks = KnownAnswers.KnownAnswerFile.Parse(Read("keytrans-search.txt"));
        Configuration configuration = TlsCodec.Decode<Configuration>(blocks["log"]["configuration"]);
        Assert.Equal(blocks["log"]["configuration_sha256"], configuration.Fingerprint().ToArray());

        (SearchRequest first, SearchResponse firstResponse) = Case(blocks["first contact at size 4: greatest version of alice"], configuration);
        VerifiedSearch atFour = SearchVerifier.Verify(suite, configuration, null, first, firstResponse, 1_750_000_000_030);
        Assert.Equal(1u, atFour.Version);
        Assert.Equal("alice 1"u8.ToArray(), atFour.Value.Value);

        (SearchRequest again, SearchResponse laterResponse) = Case(blocks["returning client (last = 4) at size 13: greatest version of alice"], configuration);
        VerifiedSearch atThirteen = SearchVerifier.Verify(suite, configuration, atFour.State, again, laterResponse, 1_750_000_000_120);
        Assert.Equal(2u, atThirteen.Version);
        Assert.Equal(13UL, atThirteen.State.TreeSize);

        (SearchRequest bob, SearchResponse bobResponse) = Case(blocks["first contact at size 13: version 0 of bob"], configuration);
        Assert.Equal("bob 0"u8.ToArray(), SearchVerifier.Verify(suite, configuration, null, bob, bobResponse, 1_750_000_000_120).Value.Value);

        (SearchRequest atTen, SearchResponse atTenResponse) = Case(blocks["first contact at size 10: greatest version of alice, which must then be monitored"], configuration);
        VerifiedSearch seen = SearchVerifier.Verify(suite, configuration, null, atTen, atTenResponse, 1_750_000_000_090);
        Assert.True(seen.MustMonitor);
        Dictionary<string, byte[]> monitoring = blocks["contact monitoring of alice (last = 10) at size 13 (KT §13.2)"];
        var monitored = MonitoredLabel.After(atTen.Label, seen);
        Assert.Equal(monitoring["request"], TlsCodec.Encode(monitored.Request(seen.State.TreeSize)));
        var reader = new TlsReader(monitoring["response"]);
        HeadAndProofResponse response = HeadAndProofResponse.Decode(ref reader, configuration.Mode);
        reader.EnsureEnd();
        VerifiedContactMonitor result = ContactMonitorVerifier.Verify(suite, configuration, seen.State, monitored, response, 1_750_000_000_120);
        Assert.Equal(13UL, result.State.TreeSize);
        Assert.Equal(atThirteen.State.Head, result.State.Head);

        Dictionary<string, byte[]> owner = blocks["owner initialization of alice from entry 11 at size 13 (KT §13.3)"];
        OwnerInitRequest ownerRequest = TlsCodec.Decode<OwnerInitRequest>(owner["request"]);
        reader = new TlsReader(owner["response"]);
        OwnerInitResponse ownerResponse = OwnerInitResponse.Decode(ref reader, configuration.Mode);
        reader.EnsureEnd();
        VerifiedOwnerInit initialized = OwnerInitVerifier.Verify(suite, configuration, null, ownerRequest, ownerResponse, 1_750_000_000_120);
        Assert.Equal(2u, initialized.Owner.GreatestVersion);
        Assert.Equal([2u, 1u], ownerResponse.GreatestVersions); // at entry 11, then at entry 7 (alice 2 arrived at 9)

        Dictionary<string, byte[]> updateBlock = blocks["update of alice by its owner (last = 13): version 3 in entry 13 (KT §13.5)"];
        UpdateRequest updateRequest = TlsCodec.Decode<UpdateRequest>(updateBlock["request"]);
        reader = new TlsReader(updateBlock["response"]);
        UpdateResponse update = UpdateResponse.Decode(ref reader, configuration.Mode);
        reader.EnsureEnd();
        VerifiedUpdate updated = UpdateVerifier.Verify(suite, configuration, initialized.State, initialized.Owner, updateRequest, update, 1_750_000_000_130);
        Assert.Equal(3u, updated.Owner.GreatestVersion);
        Assert.Equal(13UL, update.Position);

        Dictionary<string, byte[]> monitorBlock = blocks["owner monitoring of alice (last = 14) at size 14 (KT §13.4)"];
        Assert.Equal(monitorBlock["request"], TlsCodec.Encode(OwnerMonitorVerifier.Request(updated.Owner, updated.State.TreeSize)));
        reader = new TlsReader(monitorBlock["response"]);
        HeadAndProofResponse ownerMonitor = HeadAndProofResponse.Decode(ref reader, configuration.Mode);
        reader.EnsureEnd();
        Assert.True(OwnerMonitorVerifier.Verify(suite, configuration, updated.State, updated.Owner, ownerMonitor, 1_750_000_000_130).Complete);

        Dictionary<string, byte[]> walkBlock = blocks["self-contained walk of the distinguished heads at size 14 (KT §13.6)"];
        reader = new TlsReader(walkBlock["response"]);
        HeadAndProofResponse walk = HeadAndProofResponse.Decode(ref reader, configuration.Mode);
        reader.EnsureEnd();
        VerifiedDistinguished heads = DistinguishedVerifier.Verify(
            suite, configuration, null, TlsCodec.Decode<DistinguishedRequest>(walkBlock["request"]), walk, 1_750_000_000_130);
        Assert.NotEmpty(heads.Entries);
        Assert.Equal(updated.State.Head, heads.Head);
    }

    [Theory]
    [InlineData(nameof(CryptoPath.Portable))]
    [InlineData(nameof(CryptoPath.Native))]
    public void Recorded_auditor_updates_replay_and_the_audited_search_verifies(string path)
    {
        CryptoSuite suite = path == nameof(CryptoPath.Native) ? CryptoSuite.Native ?? CryptoSuite.Portable : CryptoSuite.Portable;
        var blocks = KnownAnswers.KnownAnswerFile.Parse(Read("keytrans-auditing.txt"));
        Configuration configuration = TlsCodec.Decode<Configuration>(blocks["log"]["configuration"]);
        using var key = Crypto.Signatures.EcdsaP256PrivateKey.Import(blocks["log"]["auditor_sk"]);
        var auditor = KeyTransparency.Auditing.Auditor.Create(suite, configuration, key);
        Crypto.Signatures.EcdsaP256PublicKey.TryGetShared(configuration.AuditorPublicKey, out Crypto.Signatures.EcdsaP256PublicKey? auditorPublic);
        for (int i = 0; i < 6; i++)
        {
            Dictionary<string, byte[]> entry = blocks[$"entry {i}"];
            Hash32 root = auditor.Process(TlsCodec.Decode<AuditorUpdate>(entry["auditor_update"]));
            AuditorTreeHead head = TlsCodec.Decode<AuditorTreeHead>(entry["auditor_tree_head"]);
            Assert.Equal((ulong)i + 1, head.TreeSize);
            Assert.True(auditorPublic!.Verify(AuditorTreeHead.ToBeSigned(configuration, head.Timestamp, head.TreeSize, root), head.Signature));
        }

        Dictionary<string, byte[]> search = blocks["audited first contact at size 6: greatest version of carol"];
        (SearchRequest request, SearchResponse response) = Case(search, configuration);
        VerifiedSearch result = SearchVerifier.Verify(suite, configuration, null, request, response, 1_750_000_000_050);
        Assert.Equal("carol 5"u8.ToArray(), result.Value.Value);
        Assert.Equal(6UL, result.State.AuditorHead!.TreeSize);
    }

    private static (SearchRequest, SearchResponse) Case(Dictionary<string, byte[]> block, Configuration configuration)
    {
        SearchRequest request = TlsCodec.Decode<SearchRequest>(block["request"]);
        var reader = new TlsReader(block["response"]);
        SearchResponse response = SearchResponse.Decode(ref reader, request.Version is not null, configuration.Mode);
        reader.EnsureEnd();
        return (request, response);
    }
}
