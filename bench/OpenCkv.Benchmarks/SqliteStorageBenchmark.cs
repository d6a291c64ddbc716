using System.Diagnostics;
using System.Text;
using OpenCkv.Crypto;
using OpenCkv.Crypto.Signatures;
using OpenCkv.Crypto.Vrf;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Logs;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Storage.Sqlite;

namespace OpenCkv.Benchmarks;

/// <summary>
/// The SQLite log store at a given size and page depth: N labels with one version each published over 1,000
/// entries (random VRF outputs for the background, as in the search fixture), a target label with 8 versions;
/// then the file's bytes per label-version, and the median time to build a first-contact greatest-version search
/// response from the file (VRF proofs cached). One core, one run per configuration.
/// </summary>
internal static class SqliteStorageBenchmark
{
    private const int Entries = 1_000;
    private static readonly byte[] Target = "mailto:target@example.com"u8.ToArray();

    public static void Run(int[] labelCounts, int[] levels)
    {
        CryptoSuite suite = CryptoSuite.Fastest;
        Console.WriteLine("| labels | levels per page | build (s) | file MiB | bytes per label-version | prefix pages | response µs (median of 101) | response B |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (int labels in labelCounts)
        {
            foreach (int depth in levels)
            {
                string folder = System.IO.Directory.CreateTempSubdirectory("openckv-sqlite-bench-").FullName;
                try
                {
                    Measure(suite, Path.Combine(folder, "log.db"), labels, depth);
                }
                finally
                {
                    System.IO.Directory.Delete(folder, recursive: true);
                }
            }
        }
    }

    private static void Measure(CryptoSuite suite, string path, int labels, int levelsPerPage)
    {
        using var signing = EcdsaP256PrivateKey.Generate();
        using VrfKeyPair vrf = suite.Vrf.GenerateKeyPair();
        Configuration configuration = SearchMacroBenchmark.FixtureConfiguration(signing, vrf); // the search fixture's window and limits
        using var database = new SqliteLogDatabase(path);
        var log = TransparencyLog.Create(suite, configuration, signing, vrf, new SqliteLogStore(database, suite.TreeHashes, levelsPerPage));
        var build = Stopwatch.StartNew();
        SearchMacroBenchmark.Populate(log, labels, Entries);

        double buildSeconds = build.Elapsed.TotalSeconds;
        var request = new SearchRequest(null, Target, null);
        var writer = new TlsWriter();
        log.Search(request).Encode(writer, versionRequested: false, configuration.Mode);
        double micros = Timing.MedianMicros(() => log.Search(request), 101, warmup: 5);
        long fileBytes = new FileInfo(path).Length + (File.Exists(path + "-wal") ? new FileInfo(path + "-wal").Length : 0);
        ulong pages = new SqlitePrefixPageTable(database).NextId - 1;
        int versions = labels + 8;
        Console.WriteLine(
            $"| {labels:N0} | {levelsPerPage} | {buildSeconds:F1} | {fileBytes / (1024.0 * 1024):F1} | {fileBytes / versions:N0} | {pages:N0} | {micros:F0} | {writer.Length:N0} |");
    }
}
