using System.Security.Cryptography;
using OpenCkv.Client.Verification;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;

namespace OpenCkv.Client.Tests;

/// <summary>What a profile keeps of the log between runs: written and read back exactly, or refused.</summary>
public sealed class KtStateCodecTests
{
    private static Hash32 RandomHash() => Hash32.From(RandomNumberGenerator.GetBytes(Hash32.Size));

    private static ClientState State(bool withAuditor)
    {
        var state = new ClientState(
            new TreeHead(5, RandomNumberGenerator.GetBytes(64)),
            [RandomHash(), RandomHash()],
            [new FrontierEntry(3, 1_000, RandomHash()), new FrontierEntry(4, 2_000, RandomHash())]);
        return withAuditor ? state with { AuditorHead = new AuditorTreeHead(1_900, 4, RandomNumberGenerator.GetBytes(64)) } : state;
    }

    private static MonitoredLabel Monitored() => new(
        "mailto:alice@example.com"u8.ToArray(),
        [new MonitorMapEntry(7, 2), new MonitorMapEntry(12, 3)],
        new Dictionary<uint, PrefixLeaf> { [3] = new(RandomHash(), RandomHash()), [2] = new(RandomHash(), RandomHash()) });

    private static void AssertSame(MonitoredLabel expected, MonitoredLabel actual)
    {
        Assert.Equal(expected.Label, actual.Label);
        Assert.Equal(expected.Map, actual.Map);
        Assert.Equal(expected.Known.OrderBy(k => k.Key), actual.Known.OrderBy(k => k.Key));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_client_state_round_trips(bool withAuditor)
    {
        ClientState state = State(withAuditor);

        ClientState decoded = KtStateCodec.DecodeState(KtStateCodec.Encode(state));

        Assert.Equal(state, decoded);
        Assert.Equal(withAuditor, decoded.AuditorHead is not null);
        Assert.Equal(state.RightmostTimestamp, decoded.RightmostTimestamp);
    }

    [Fact]
    public void A_client_state_without_subtrees_round_trips()
    {
        ClientState state = State(false) with { FullSubtrees = [] };

        Assert.Equal(state, KtStateCodec.DecodeState(KtStateCodec.Encode(state)));
    }

    [Fact]
    public void A_monitored_label_round_trips()
    {
        MonitoredLabel monitored = Monitored();

        AssertSame(monitored, KtStateCodec.DecodeMonitored(KtStateCodec.Encode(monitored)));
    }

    [Fact]
    public void A_monitored_label_encodes_the_same_whatever_the_order_of_its_known_leaves()
    {
        MonitoredLabel monitored = Monitored();
        MonitoredLabel reordered = monitored with { Known = monitored.Known.Reverse().ToDictionary() };

        Assert.Equal(KtStateCodec.Encode(monitored), KtStateCodec.Encode(reordered));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_state_with_a_trailing_byte_or_cut_short_anywhere_is_refused(bool withAuditor)
    {
        byte[] encoded = KtStateCodec.Encode(State(withAuditor));

        Assert.Throws<KtFormatException>(() => KtStateCodec.DecodeState([.. encoded, 0]));
        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<KtFormatException>(() => KtStateCodec.DecodeState(encoded.AsSpan(0, length)));
        }
    }

    [Fact]
    public void A_monitored_label_with_a_trailing_byte_or_cut_short_anywhere_is_refused()
    {
        byte[] encoded = KtStateCodec.Encode(Monitored());

        Assert.Throws<KtFormatException>(() => KtStateCodec.DecodeMonitored([.. encoded, 0]));
        for (int length = 0; length < encoded.Length; length++)
        {
            Assert.Throws<KtFormatException>(() => KtStateCodec.DecodeMonitored(encoded.AsSpan(0, length)));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(255)]
    public void An_unknown_format_version_is_refused(byte version)
    {
        byte[] state = KtStateCodec.Encode(State(true));
        byte[] monitored = KtStateCodec.Encode(Monitored());
        Assert.Equal(1, state[0]);
        Assert.Equal(1, monitored[0]);
        state[0] = version;
        monitored[0] = version;

        Assert.Throws<KtFormatException>(() => KtStateCodec.DecodeState(state));
        Assert.Throws<KtFormatException>(() => KtStateCodec.DecodeMonitored(monitored));
    }

    [Fact]
    public void A_state_with_an_empty_frontier_is_refused()
    {
        byte[] encoded = KtStateCodec.Encode(State(false) with { Frontier = [] });

        Assert.Throws<KtFormatException>(() => KtStateCodec.DecodeState(encoded));
    }

    [Fact]
    public void A_monitored_label_that_knows_one_version_twice_is_refused()
    {
        static byte[] Encoded(uint first, uint second)
        {
            var writer = new TlsWriter();
            writer.WriteUInt8(1);
            writer.WriteOpaque("mailto:alice@example.com"u8, byte.MaxValue);
            writer.WriteVector<MonitorMapEntry>([new MonitorMapEntry(7, 2)], uint.MaxValue);
            writer.WriteVectorCount(2, uint.MaxValue);
            foreach (uint version in new[] { first, second })
            {
                writer.WriteUInt32(version);
                new PrefixLeaf(RandomHash(), RandomHash()).Encode(writer);
            }

            return writer.ToArray();
        }

        Assert.Equal(2, KtStateCodec.DecodeMonitored(Encoded(2, 3)).Known.Count);
        Assert.Throws<KtFormatException>(() => KtStateCodec.DecodeMonitored(Encoded(2, 2)));
    }
}
