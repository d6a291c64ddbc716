using OpenCkv.Crypto;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.Storage.Tests;

/// <summary>The byte form of prefix pages: every page of random trees round-trips, and damaged bytes are format errors.</summary>
public sealed class PrefixPageCodecTests
{
    private static readonly CryptoSuite Suite = CryptoSuite.Fastest;

    [Theory]
    [InlineData(1, 8)]
    [InlineData(2, 4)]
    [InlineData(3, 2)]
    public void Every_page_of_random_trees_round_trips(int seed, int levels)
    {
        var random = new Random(seed);
        var table = new InMemoryPrefixPageTable();
        var versions = new PagedPrefixVersions(Suite.TreeHashes, table, levels);
        PrefixVersion version = versions.Empty;
        for (int batch = 0; batch < 30; batch++)
        {
            version = versions.Insert(version, [.. Enumerable.Range(0, random.Next(1, 40)).Select(_ => Leaf(random))]);
        }

        IReadOnlyDictionary<ulong, PrefixPage> pages = table.Read([.. Enumerable.Range(1, (int)table.NextId - 1).Select(i => (ulong)i)]);
        foreach (PrefixPage page in pages.Values)
        {
            byte[] bytes = PrefixPageCodec.Encode(page);
            Assert.Equal(page, PrefixPageCodec.Decode(page.Id, bytes));
            Assert.Throws<KtFormatException>(() => PrefixPageCodec.Decode(page.Id, bytes[..^1]));
            Assert.Throws<KtFormatException>(() => PrefixPageCodec.Decode(page.Id, [.. bytes, 0]));
        }
    }

    private static PrefixLeaf Leaf(Random random)
    {
        var key = new byte[32];
        var commitment = new byte[32];
        random.NextBytes(key);
        random.NextBytes(commitment);
        return new PrefixLeaf(Hash32.From(key), Hash32.From(commitment));
    }
}
