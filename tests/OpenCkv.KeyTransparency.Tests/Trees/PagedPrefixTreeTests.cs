using System.Security.Cryptography;
using CsCheck;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.KeyTransparency.Tests.Trees;

/// <summary>
/// The paged prefix tree against the in-memory one: after every batch the roots agree, every older version still
/// answers, searches of any version give byte-identical proofs, and each operation needs one round trip per page
/// level.
/// </summary>
public sealed class PagedPrefixTreeTests
{
    private static readonly TreeHasher Hasher = CryptoSuite.Fastest.TreeHashes;

    /// <summary>The edge's part, in memory: a page table and the fetch loop.</summary>
    private sealed class PageStore
    {
        public Dictionary<ulong, PrefixPage> Pages { get; } = [];

        public int RoundTrips { get; private set; }

        public ulong NextId => (ulong)Pages.Count + 1;

        public Dictionary<ulong, PrefixPage> Fetch(IReadOnlyCollection<ulong> ids)
        {
            RoundTrips++;
            return ids.ToDictionary(id => id, id => Pages[id]);
        }

        public int LevelsPerPage { get; init; } = PrefixPage.DefaultLevelsPerPage;

        public PagedInsertResult Insert(ulong root, IReadOnlyCollection<PrefixLeaf> leaves)
        {
            var insert = new PagedPrefixInsert(root, leaves, Hasher, NextId, LevelsPerPage);
            while (insert.PagesNeeded.Count > 0)
            {
                insert.Supply(Fetch(insert.PagesNeeded));
            }

            foreach (PrefixPage page in insert.Result.NewPages)
            {
                Pages.Add(page.Id, page); // Add: a page id is never reused
            }

            return insert.Result;
        }

        public PrefixProof Search(ulong root, IReadOnlyList<Hash32> keys)
        {
            var search = new PagedPrefixSearch(root, keys);
            while (search.PagesNeeded.Count > 0)
            {
                search.Supply(Fetch(search.PagesNeeded));
            }

            return search.Result;
        }
    }

    private static readonly Gen<Hash32> Keys = Gen.OneOf(
        Gen.Byte.Array[32].Select(b => Hash32.From(b)),
        Gen.Select(Gen.Int[0, 40], Gen.Byte.Array[32]).Select((shared, tail) =>
        {
            byte[] key = (byte[])tail.Clone();
            for (int bit = 0; bit < shared; bit++)
            {
                key[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            }

            return Hash32.From(key);
        }));

    [Fact]
    public void Paged_and_in_memory_trees_agree_on_every_version_and_every_proof()
    {
        Gen.Select(Keys.Array[1, 40].Array[1, 6], Keys.Array[0, 6], Gen.Int[1, 8]).Sample((batches, absent, levels) =>
        {
            var store = new PageStore { LevelsPerPage = levels };
            PrefixTree memory = PrefixTree.Empty(Hasher);
            ulong root = 0;
            var versions = new List<(ulong Root, PrefixTree Tree)> { (0, memory) };
            var seen = new HashSet<Hash32>();
            int counter = 0;
            foreach (Hash32[] batch in batches)
            {
                PrefixLeaf[] leaves = batch.Where(seen.Add)
                    .Select(k => new PrefixLeaf(k, Hash32.From(SHA256.HashData(BitConverter.GetBytes(counter++)))))
                    .ToArray();
                memory = memory.Insert(leaves);
                PagedInsertResult result = store.Insert(root, leaves);
                root = result.RootPageId;
                Assert.Equal(memory.Root, result.Root);
                versions.Add((root, memory));
            }

            foreach ((ulong versionRoot, PrefixTree tree) in versions)
            {
                var keys = seen.Take(4).Concat(absent).ToList();
                Assert.Equal(tree.Search(keys), store.Search(versionRoot, keys));
                Assert.Equal(tree.Search([]), store.Search(versionRoot, []));
            }
        }, iter: 150);
    }

    [Fact]
    public void A_search_of_a_large_tree_takes_one_round_trip_per_page_level()
    {
        var store = new PageStore();
        ulong root = 0;
        var random = new Random(5);
        var all = new List<Hash32>();
        for (int batch = 0; batch < 20; batch++)
        {
            var leaves = new List<PrefixLeaf>();
            for (int i = 0; i < 1_000; i++)
            {
                var key = new byte[32];
                random.NextBytes(key);
                all.Add(Hash32.From(key));
                leaves.Add(new PrefixLeaf(all[^1], Hash32.Zero));
            }

            root = store.Insert(root, leaves).RootPageId;
        }

        int before = store.RoundTrips;
        PrefixProof proof = store.Search(root, [all[17], all[12_345], Hash32.From(SHA256.HashData("absent"u8))]);
        int trips = store.RoundTrips - before;
        Assert.InRange(trips, 2, 3); // 20,000 keys sit about 15–20 levels deep: pages at depths 0, 8 and 16
        Assert.Equal(PrefixSearchResultType.Inclusion, proof.Results[0].ResultType);
        Assert.Equal(PrefixSearchResultType.Inclusion, proof.Results[1].ResultType);
    }

    [Fact]
    public void An_empty_batch_keeps_the_version_and_knows_its_root()
    {
        var store = new PageStore();
        var leaf = new PrefixLeaf(Hash32.From(SHA256.HashData("k"u8)), Hash32.Zero);
        PagedInsertResult first = store.Insert(0, [leaf]);
        PagedInsertResult empty = store.Insert(first.RootPageId, []);
        Assert.Equal(first.RootPageId, empty.RootPageId);
        Assert.Equal(first.Root, empty.Root);
        Assert.Empty(empty.NewPages);
        Assert.Empty(empty.Replaced);
        Assert.Equal(Hash32.Zero, store.Insert(0, []).Root);
    }

    [Fact]
    public void The_pages_an_insert_replaces_are_exactly_those_the_old_version_has_and_the_new_one_lost() =>
        Gen.Int[1, 4].Select(Keys.HashSet[1, 120].Array[1, 6]).Sample((levelsPerPage, batches) =>
        {
            var store = new PageStore { LevelsPerPage = levelsPerPage };
            var seen = new HashSet<Hash32>();
            ulong root = 0;
            foreach (HashSet<Hash32> batch in batches)
            {
                PrefixLeaf[] leaves = [.. batch.Where(seen.Add).Select(k => new PrefixLeaf(k, Hash32.Zero))];
                PagedInsertResult result = store.Insert(root, leaves);
                HashSet<ulong> lost = Reachable(store, root);
                lost.ExceptWith(Reachable(store, result.RootPageId));
                Assert.Equal(lost.Order(), result.Replaced.Order());
                root = result.RootPageId;
            }
        }, iter: 100);

    /// <summary>The ids of every page a version reads, from its root page down its links.</summary>
    private static HashSet<ulong> Reachable(PageStore store, ulong root)
    {
        var ids = new HashSet<ulong>();
        var pending = new Stack<ulong>(root == 0 ? [] : [root]);
        while (pending.TryPop(out ulong id))
        {
            if (ids.Add(id))
            {
                var nodes = new Stack<PageNode>([store.Pages[id].Root]);
                while (nodes.TryPop(out PageNode? node))
                {
                    switch (node)
                    {
                        case PageLink link:
                            pending.Push(link.PageId);
                            break;
                        case PageParent parent:
                            foreach (PageNode? child in new[] { parent.Left, parent.Right })
                            {
                                if (child is not null)
                                {
                                    nodes.Push(child);
                                }
                            }

                            break;
                    }
                }
            }
        }

        return ids;
    }

    [Fact]
    public void Inserting_a_present_key_is_refused()
    {
        var store = new PageStore();
        var leaf = new PrefixLeaf(Hash32.From(SHA256.HashData("k"u8)), Hash32.Zero);
        ulong root = store.Insert(0, [leaf]).RootPageId;
        Assert.Throws<ArgumentException>(() => store.Insert(root, [leaf]));
    }
}
