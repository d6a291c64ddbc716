using OpenCkv.Crypto.Hashing;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.KeyTransparency.Tests.Trees;

/// <summary>
/// The page cache of the database tables: it never holds more than its capacity, a page asked for again and again
/// survives any number of pages read once, and forgotten pages are looked up in the database again. The next page id
/// is read from the table once, moves past committed pages, and is read again once forgotten.
/// </summary>
public sealed class PrefixPageCacheTests
{
    [Fact]
    public void A_page_in_use_outlives_a_stream_of_pages_read_once_and_the_cache_stays_bounded()
    {
        var cache = new PrefixPageCache(capacity: 100);
        cache.Add([Page(1)]);
        for (ulong id = 1_000; id < 11_000; id++)
        {
            cache.Add([Page(id)]);
            if (id % 10 == 0)
            {
                var found = new Dictionary<ulong, PrefixPage>();
                Assert.Empty(cache.Lookup([1], found)); // the root page every insert starts from
                Assert.Equal(1ul, found[1].Id);
            }

            Assert.True(cache.Count <= 100, $"{cache.Count} pages cached");
        }

        var early = new Dictionary<ulong, PrefixPage>();
        Assert.Equal([1_000ul, 2_000ul], cache.Lookup([1_000, 2_000, 10_999], early));
        Assert.Equal([10_999ul], early.Keys);
    }

    [Fact]
    public void Replaced_pages_age_out_before_the_pages_that_replaced_them_and_the_cache_stays_bounded()
    {
        var cache = new PrefixPageCache(capacity: 10);
        cache.Add([Page(1), Page(2), Page(3), Page(4), Page(5)]);
        cache.Committed([Page(6)], replaced: [1]); // page 6 replaces page 1 in the newest version
        cache.Add([Page(7)]);                      // the young generation was full: it became the old one

        var found = new Dictionary<ulong, PrefixPage>();
        Assert.Equal([1ul], cache.Lookup([1, 2, 6, 7], found));
        Assert.Equal([2ul, 6ul, 7ul], found.Keys.Order());

        // An insert after another, each replacing the pages the one before wrote: never more than the capacity.
        for (ulong id = 100; id < 1_000; id += 3)
        {
            cache.Committed([Page(id), Page(id + 1), Page(id + 2)], replaced: [id - 3, id - 2, id - 1]);
            Assert.True(cache.Count <= 10, $"{cache.Count} pages cached");
        }
    }

    [Fact]
    public void A_read_through_asks_the_table_for_the_missing_pages_only_caches_them_and_fails_on_a_page_it_lacks()
    {
        var cache = new PrefixPageCache(capacity: 10);
        cache.Add([Page(1)]);
        var asked = new List<List<ulong>>();
        List<PrefixPage> Table(List<ulong> ids)
        {
            asked.Add([.. ids]);
            return [.. ids.Where(id => id < 100).Select(Page)];
        }

        Assert.Equal([1ul, 2ul, 3ul], cache.ReadThrough([1, 2, 3], Table).Keys.Order());
        Assert.Equal([3ul, 2ul], cache.ReadThrough([3, 2], Table).Keys); // cached now: the table is not asked
        Assert.Equal([[2ul, 3ul]], asked);

        InvalidOperationException lacking = Assert.Throws<InvalidOperationException>(() => cache.ReadThrough([2, 100, 4], Table));
        Assert.StartsWith("1 of the requested", lacking.Message, StringComparison.Ordinal);
        Assert.Equal([100ul, 4ul], asked[^1]);
    }

    [Fact]
    public void Removed_pages_are_missing_and_the_rest_stay()
    {
        var cache = new PrefixPageCache(capacity: 10);
        cache.Add([Page(1), Page(2), Page(3)]);
        cache.Remove([2]);
        var found = new Dictionary<ulong, PrefixPage>();
        Assert.Equal([2ul], cache.Lookup([1, 2, 3], found));
        Assert.Equal([1ul, 3ul], found.Keys.Order());
    }

    [Fact]
    public void The_next_id_is_read_once_moves_past_committed_pages_and_is_read_again_once_forgotten()
    {
        var cache = new PrefixPageCache(capacity: 10);
        int reads = 0;
        ulong stored = 5;
        ulong Read()
        {
            reads++;
            return stored;
        }

        cache.Committed([Page(40)]); // not known yet: nothing to move
        Assert.Equal(5ul, cache.NextId(Read));
        Assert.Equal(5ul, cache.NextId(Read));
        Assert.Equal(1, reads);

        cache.Committed([Page(5), Page(7), Page(6)]);
        Assert.Equal(8ul, cache.NextId(Read));
        Assert.Equal(1, reads);
        var found = new Dictionary<ulong, PrefixPage>();
        Assert.Empty(cache.Lookup([5, 6, 7], found)); // committed pages are cached too

        stored = 20; // another writer moved the table on
        cache.ForgetNextId();
        Assert.Equal(20ul, cache.NextId(Read));
        Assert.Equal(2, reads);
    }

    [Fact]
    public void A_capacity_below_two_is_refused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrefixPageCache(1));

    private static PrefixPage Page(ulong id) => new(id, 0, new PageLink(id + 1, Hash32.Zero));
}
