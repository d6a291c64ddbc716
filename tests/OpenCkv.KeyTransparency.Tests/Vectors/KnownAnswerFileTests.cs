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
        Assert.Equal(3, generated.Count);
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
        var blocks = Blocks(Read("keytrans-search.txt"));
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
    }

    private static (SearchRequest, SearchResponse) Case(Dictionary<string, byte[]> block, Configuration configuration)
    {
        SearchRequest request = TlsCodec.Decode<SearchRequest>(block["request"]);
        var reader = new TlsReader(block["response"]);
        SearchResponse response = SearchResponse.Decode(ref reader, request.Version is not null, configuration.Mode);
        reader.EnsureEnd();
        return (request, response);
    }

    private static Dictionary<string, Dictionary<string, byte[]>> Blocks(string text)
    {
        var blocks = new Dictionary<string, Dictionary<string, byte[]>>();
        Dictionary<string, byte[]>? current = null;
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                current = [];
                blocks[line[3..].Trim()] = current;
            }
            else if (current is not null && line.Contains(" = ", StringComparison.Ordinal))
            {
                int eq = line.IndexOf(" = ", StringComparison.Ordinal);
                current[line[..eq]] = Convert.FromHexString(line[(eq + 3)..]);
            }
        }

        return blocks;
    }
}
