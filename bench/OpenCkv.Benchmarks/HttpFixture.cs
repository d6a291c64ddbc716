using System.Diagnostics;
using OpenCkv.Server;

namespace OpenCkv.Benchmarks;

/// <summary>
/// A server data folder holding N background labels, loaded in bulk (the search fixture's labels and values,
/// random VRF outputs, 10,000 entries) straight into the log, not through the publish path; cached under the
/// fixture folder and copied for each run, since a run writes to it.
/// </summary>
internal static class HttpFixture
{
    public static void Prepare(int labels, string destination)
    {
        string cached = Path.Combine(FixtureSnapshot.CacheDirectory(), $"http-{labels}");
        if (!File.Exists(Path.Combine(cached, "complete")))
        {
            if (System.IO.Directory.Exists(cached))
            {
                System.IO.Directory.Delete(cached, recursive: true);
            }

            var build = Stopwatch.StartNew();
            LogFolder.Create(cached);
            using (LogFolder folder = LogFolder.Open(cached))
            {
                SearchMacroBenchmark.Populate(folder.Log, labels);
            }

            File.WriteAllText(Path.Combine(cached, "complete"), build.Elapsed.TotalSeconds.ToString("F0", System.Globalization.CultureInfo.InvariantCulture));
            Console.Error.WriteLine($"built the {labels:N0}-label server fixture in {build.Elapsed.TotalSeconds:F0} s");
        }

        if (System.IO.Directory.Exists(destination))
        {
            System.IO.Directory.Delete(destination, recursive: true);
        }

        Copy(cached, destination);
        long bytes = new FileInfo(Path.Combine(destination, "log.db")).Length;
        Console.WriteLine($"fixture: {labels:N0} labels, log.db {FixtureSnapshot.Describe(bytes)}, {bytes / Math.Max(1, labels):N0} B per label (build {File.ReadAllText(Path.Combine(cached, "complete"))} s)");
    }

    /// <summary>
    /// The same fixture with the log in a PostgreSQL database (empty, created by the caller): keys and configuration
    /// in <paramref name="destination"/>, the labels bulk-loaded through the PostgreSQL store. Not cached.
    /// </summary>
    public static void PreparePostgres(int labels, string destination, string connectionString)
    {
        var build = Stopwatch.StartNew();
        LogFolder.Create(destination, sqlite: false);
        using (LogFolder folder = LogFolder.Open(destination, hasher => OpenCkv.Storage.Postgres.PostgresStores.OpenLog(connectionString, hasher)))
        {
            SearchMacroBenchmark.Populate(folder.Log, labels);
        }

        using var data = Npgsql.NpgsqlDataSource.Create(connectionString);
        using Npgsql.NpgsqlCommand size = data.CreateCommand("SELECT pg_database_size(current_database())");
        long bytes = (long)size.ExecuteScalar()!;
        Console.WriteLine($"fixture (PostgreSQL): {labels:N0} labels, database {FixtureSnapshot.Describe(bytes)}, {bytes / Math.Max(1, labels):N0} B per label (build {build.Elapsed.TotalSeconds:F0} s)");
    }

    private static void Copy(string from, string to)
    {
        System.IO.Directory.CreateDirectory(to);
        foreach (string directory in System.IO.Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            System.IO.Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        }

        foreach (string file in System.IO.Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            if (!file.EndsWith("complete", StringComparison.Ordinal))
            {
                File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
            }
        }
    }
}
