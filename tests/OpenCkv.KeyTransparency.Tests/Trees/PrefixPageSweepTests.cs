using System.Security.Cryptography;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.KeyTransparency.Tests.Trees;

/// <summary>
/// Reclaiming prefix-tree pages against a slow reference: after a sweep the table holds exactly the pages the kept
/// versions reach (found by walking every kept version page by page), every kept version answers byte-identical
/// proofs, pages no version reaches (a failed commit's) are gone, and a second sweep deletes nothing.
/// </summary>
public sealed class PrefixPageSweepTests
{
    private static readonly TreeHasher Hasher = CryptoSuite.Fastest.TreeHashes;

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 3)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    public void A_sweep_keeps_exactly_what_the_kept_versions_reach(int seed, int levelsPerPage)
    {
        var random = new Random(seed);
        var table = new InMemoryPrefixPageTable();
        var versions = new PagedPrefixVersions(Hasher, table, levelsPerPage);
        var history = new List<PrefixVersion> { versions.Empty };
        var keys = new List<Hash32>();
        for (int batch = 0; batch < 60; batch++)
        {
            PrefixLeaf[] leaves = [.. Enumerable.Range(0, random.Next(1, 12)).Select(_ => Leaf(random))];
            keys.AddRange(leaves.Select(l => l.VrfOutput));
            if (random.Next(0, 8) == 0)
            {
                versions.Insert(history[^1], [Leaf(random)]); // written, then never committed: no version reaches it
            }

            history.Add(versions.Insert(history[^1], leaves));
        }

        // Kept: a suffix, as pruning keeps, plus a few older versions, which a sweep must honour just as well.
        int firstKept = random.Next(10, 50);
        PrefixVersion[] kept = [.. history.Skip(firstKept), .. Enumerable.Range(0, 3).Select(_ => history[random.Next(1, firstKept)])];
        HashSet<ulong> reachable = ReachableByWalking(table, kept);
        Hash32[] probes = [.. keys.OrderBy(_ => random.Next()).Take(20), .. Enumerable.Range(0, 5).Select(_ => Leaf(random).VrfOutput)];
        Dictionary<PrefixVersion, byte[]> proofs = kept.Distinct().ToDictionary(v => v, v => TlsCodec.Encode(versions.Search(v, probes)));
        int before = table.Count;

        PrefixSweepResult result = versions.Reclaim(kept);

        Assert.Equal(reachable.Count, result.KeptPages);
        Assert.Equal(before - reachable.Count, result.DeletedPages);
        Assert.True(result.DeletedPages > 0, "the history left nothing to reclaim");
        Assert.Equal(reachable.Order(), table.IdsFrom(0, int.MaxValue));
        foreach ((PrefixVersion version, byte[] proof) in proofs)
        {
            Assert.Equal(proof, TlsCodec.Encode(versions.Search(version, probes)));
        }

        Assert.Equal(new PrefixSweepResult(reachable.Count, 0), versions.Reclaim(kept));
    }

    [Fact]
    public void Keeping_only_the_empty_tree_deletes_every_page()
    {
        var table = new InMemoryPrefixPageTable();
        var versions = new PagedPrefixVersions(Hasher, table, 2);
        var random = new Random(7);
        versions.Insert(versions.Empty, [Leaf(random), Leaf(random), Leaf(random)]);
        int written = table.Count;

        Assert.Equal(new PrefixSweepResult(0, written), versions.Reclaim([versions.Empty]));
        Assert.Equal(0, table.Count);
    }

    /// <summary>The slow reference: every page of every kept version, one page read at a time.</summary>
    private static HashSet<ulong> ReachableByWalking(InMemoryPrefixPageTable table, IEnumerable<PrefixVersion> kept)
    {
        var reachable = new HashSet<ulong>();
        foreach (PrefixVersion version in kept)
        {
            Walk(PagedPrefixVersions.RootPageOf(version));
        }

        return reachable;

        void Walk(ulong pageId)
        {
            if (pageId == 0 || !reachable.Add(pageId))
            {
                return;
            }

            Visit(table.Read([pageId])[pageId].Root);
        }

        void Visit(PageNode? node)
        {
            if (node is PageLink link)
            {
                Walk(link.PageId);
            }
            else if (node is PageParent parent)
            {
                Visit(parent.Left);
                Visit(parent.Right);
            }
        }
    }

    private static PrefixLeaf Leaf(Random random)
    {
        var key = new byte[Hash32.Size];
        var commitment = new byte[Hash32.Size];
        random.NextBytes(key);
        RandomNumberGenerator.Fill(commitment);
        return new PrefixLeaf(Hash32.From(key), Hash32.From(commitment));
    }
}
