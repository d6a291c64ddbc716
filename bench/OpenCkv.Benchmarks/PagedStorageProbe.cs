using System.Diagnostics;
using OpenCkv.Crypto;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Trees;
using OpenCkv.KeyTransparency.Trees.Paged;

namespace OpenCkv.Benchmarks;

/// <summary>
/// What paged storage of the prefix tree costs, to choose its layout: keys inserted in batches of 100 with random
/// outputs, then the pages and nodes written per inserted key, batched reads per search, and insert/search times.
/// </summary>
internal static class PagedStorageProbe
{
    public static void Run(int keys, int levelsPerPage)
    {
        var table = new InMemoryPrefixPageTable();
        var versions = new PagedPrefixVersions(CryptoSuite.Fastest.TreeHashes, table, levelsPerPage);
        PrefixVersion version = versions.Empty;
        var random = new Random(7);
        var bytes = new byte[32];
        long pagesWritten = 0, nodesWritten = 0;
        var all = new List<Hash32>(keys);
        var insertWatch = Stopwatch.StartNew();
        for (int batch = 0; batch < keys / 100; batch++)
        {
            var leaves = new PrefixLeaf[100];
            for (int i = 0; i < leaves.Length; i++)
            {
                random.NextBytes(bytes);
                all.Add(Hash32.From(bytes));
                leaves[i] = new PrefixLeaf(all[^1], Hash32.Zero);
            }

            ulong before = table.NextId;
            version = versions.Insert(version, leaves);
            IReadOnlyDictionary<ulong, PrefixPage> written = table.Read(Enumerable.Range(0, (int)(table.NextId - before)).Select(i => before + (ulong)i).ToArray());
            pagesWritten += written.Count;
            nodesWritten += written.Values.Sum(p => CountNodes(p.Root));
        }

        double insertSeconds = insertWatch.Elapsed.TotalSeconds;
        int readsBefore = table.Reads;
        var searchWatch = Stopwatch.StartNew();
        for (int i = 0; i < 1_000; i++)
        {
            versions.Search(version, [all[random.Next(all.Count)], all[random.Next(all.Count)]]);
        }

        double searchMicros = searchWatch.Elapsed.TotalMicroseconds / 1_000;
        double readsPerSearch = (table.Reads - readsBefore) / 1_000.0;
        Console.WriteLine($"| {keys:N0} | {levelsPerPage} | {pagesWritten / (double)keys:F2} | {nodesWritten / (double)keys:F0} | {readsPerSearch:F2} | {insertSeconds / keys * 1e6:F1} | {searchMicros:F1} |");
    }

    public static void Header()
    {
        Console.WriteLine("| keys | levels per page | pages written per key | nodes written per key | batched reads per search (2 keys) | insert µs per key | search µs (2 keys) |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
    }

    private static int CountNodes(PageNode? node) => node switch
    {
        PageParent p => 1 + CountNodes(p.Left) + CountNodes(p.Right),
        null => 0,
        _ => 1,
    };
}
