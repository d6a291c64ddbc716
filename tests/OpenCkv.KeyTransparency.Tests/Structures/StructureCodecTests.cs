using System.Security.Cryptography;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.KeyTransparency.Tests.Structures;

/// <summary>The draft's structures: exact layouts, round trips in every mode, and strict decoding.</summary>
public sealed class StructureCodecTests
{
    internal static Configuration Config(DeploymentMode mode) => new Configuration
    {
        Mode = mode,
        SignaturePublicKey = [0x04, .. RandomNumberGenerator.GetBytes(64)],
        VrfPublicKey = [0x02, .. RandomNumberGenerator.GetBytes(32)],
        LeafPublicKey = mode == DeploymentMode.ThirdPartyManagement ? [0x04, .. RandomNumberGenerator.GetBytes(64)] : null,
        AuditorPublicKey = mode == DeploymentMode.ThirdPartyAuditing ? [0x04, .. RandomNumberGenerator.GetBytes(64)] : null,
        MaxAuditorLag = mode == DeploymentMode.ThirdPartyAuditing ? 60_000UL : 0,
        AuditorStartPosition = mode == DeploymentMode.ThirdPartyAuditing ? 5UL : 0,
        MaxAhead = 10_000,
        MaxBehind = 86_400_000,
        ReasonableMonitoringWindow = 604_800_000,
        MaximumLifetime = mode == DeploymentMode.ContactMonitoring ? 31_536_000_000UL : null,
    }.Validated();

    [Theory]
    [InlineData(DeploymentMode.ContactMonitoring)]
    [InlineData(DeploymentMode.ThirdPartyManagement)]
    [InlineData(DeploymentMode.ThirdPartyAuditing)]
    public void Configuration_round_trips_in_every_mode(DeploymentMode mode)
    {
        Configuration config = Config(mode);
        byte[] encoded = TlsCodec.Encode(config);
        Assert.Equal(config, TlsCodec.Decode<Configuration>(encoded));
        Assert.Equal(new byte[] { 0x00, 0x01, (byte)mode, 0x00, 65 }, encoded[..5]); // suite, mode, key length
    }

    [Fact]
    public void Configuration_layout_for_contact_monitoring_is_exact()
    {
        var config = new Configuration
        {
            Mode = DeploymentMode.ContactMonitoring,
            SignaturePublicKey = [0xAA],
            VrfPublicKey = [0xBB, 0xCC],
            MaxAhead = 1,
            MaxBehind = 2,
            ReasonableMonitoringWindow = 3,
            MaximumLifetime = null,
        };
        Assert.Equal(
            Convert.FromHexString("0001" + "01" + "0001AA" + "0002BBCC" + "0000000000000001" + "0000000000000002" + "0000000000000003" + "00"),
            TlsCodec.Encode(config));
    }

    [Theory]
    [InlineData("0000")]
    [InlineData("0002")]
    public void An_unknown_cipher_suite_is_rejected(string suite)
    {
        byte[] encoded = TlsCodec.Encode(Config(DeploymentMode.ContactMonitoring));
        Convert.FromHexString(suite).CopyTo(encoded, 0);
        Assert.Throws<KtFormatException>(() => TlsCodec.Decode<Configuration>(encoded));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(255)]
    public void An_unknown_deployment_mode_is_rejected(byte mode)
    {
        byte[] encoded = TlsCodec.Encode(Config(DeploymentMode.ContactMonitoring));
        encoded[2] = mode;
        Assert.Throws<KtFormatException>(() => TlsCodec.Decode<Configuration>(encoded));
    }

    [Fact]
    public void Inconsistent_configurations_are_refused()
    {
        Assert.Throws<ArgumentException>(() => (Config(DeploymentMode.ContactMonitoring) with { AuditorPublicKey = [1] }).Validated());
        Assert.Throws<ArgumentException>(() => (Config(DeploymentMode.ThirdPartyAuditing) with { AuditorPublicKey = null }).Validated());
        Assert.Throws<ArgumentException>(() => (Config(DeploymentMode.ContactMonitoring) with { MaximumLifetime = 604_800_000 }).Validated());
    }

    [Fact]
    public void Tree_head_to_be_signed_is_config_then_size_then_root()
    {
        Configuration config = Config(DeploymentMode.ContactMonitoring);
        Hash32 root = Hash32.From(SHA256.HashData("root"u8));
        byte[] tbs = TreeHead.ToBeSigned(config, 0x0102, root);
        Assert.Equal([.. TlsCodec.Encode(config), 0, 0, 0, 0, 0, 0, 1, 2, .. root.Span], tbs);

        byte[] auditorTbs = AuditorTreeHead.ToBeSigned(config, 7, 0x0102, root);
        Assert.Equal([.. TlsCodec.Encode(config), 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 1, 2, .. root.Span], auditorTbs);
    }

    [Fact]
    public void Full_tree_head_carries_the_auditor_head_only_in_auditing_mode()
    {
        var head = new FullTreeHead(FullTreeHeadType.Updated, new TreeHead(9, [1, 2, 3]), new AuditorTreeHead(5, 8, [4]));
        foreach (DeploymentMode mode in Enum.GetValues<DeploymentMode>())
        {
            var writer = new TlsWriter();
            head.Encode(writer, mode);
            var reader = new TlsReader(writer.WrittenSpan);
            FullTreeHead decoded = FullTreeHead.Decode(ref reader, mode);
            reader.EnsureEnd();
            Assert.Equal(head.TreeHead, decoded.TreeHead);
            Assert.Equal(mode == DeploymentMode.ThirdPartyAuditing ? head.AuditorTreeHead : null, decoded.AuditorTreeHead);
        }

        var same = new TlsWriter();
        FullTreeHead.Same.Encode(same, DeploymentMode.ThirdPartyAuditing);
        Assert.Equal(new byte[] { 1 }, same.ToArray());
        Assert.Throws<KtFormatException>(() =>
        {
            var reader = new TlsReader([3]);
            FullTreeHead.Decode(ref reader, DeploymentMode.ContactMonitoring);
        });
    }

    [Fact]
    public void Search_request_and_response_round_trip_and_reject_every_truncation()
    {
        var request = new SearchRequest(42, "mailto:alice@example.com"u8.ToArray(), null);
        Assert.Equal(request, TlsCodec.Decode<SearchRequest>(TlsCodec.Encode(request)));

        var response = new SearchResponse(
            new FullTreeHead(FullTreeHeadType.Updated, new TreeHead(13, RandomNumberGenerator.GetBytes(64)), null),
            Version: 2,
            Opening: RandomNumberGenerator.GetBytes(16),
            Value: new UpdateValue("record"u8.ToArray(), null),
            BinaryLadder: [new BinaryLadderStep(RandomNumberGenerator.GetBytes(81), Hash32.Zero), new BinaryLadderStep(RandomNumberGenerator.GetBytes(81), null)],
            Search: new CombinedTreeProof(
                [1, 2, 3],
                [new PrefixProof([PrefixSearchResult.Create(PrefixSearchResultType.NonInclusionParent, null, 4)], [Hash32.Zero])],
                [Hash32.From(SHA256.HashData("r"u8))],
                new InclusionProof([Hash32.From(SHA256.HashData("i"u8))])));
        var writer = new TlsWriter();
        response.Encode(writer, versionRequested: false, DeploymentMode.ContactMonitoring);
        byte[] encoded = writer.ToArray();

        var reader = new TlsReader(encoded);
        SearchResponse decoded = SearchResponse.Decode(ref reader, versionRequested: false, DeploymentMode.ContactMonitoring);
        reader.EnsureEnd();
        Assert.Equal(response.Version, decoded.Version);
        Assert.Equal(response.Search, decoded.Search);
        Assert.Equal(response.BinaryLadder, decoded.BinaryLadder);
        Assert.Equal(response.Value, decoded.Value);

        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<KtFormatException>(() =>
            {
                var r = new TlsReader(encoded.AsSpan(0, length));
                SearchResponse.Decode(ref r, versionRequested: false, DeploymentMode.ContactMonitoring);
                r.EnsureEnd();
            });
        }
    }
}
