using BenchmarkDotNet.Running;
using OpenCkv.Benchmarks;

if (args is ["search-macro", .. var counts])
{
    int[] labels = counts.Where(c => c != "--publish").Select(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    SearchMacroBenchmark.Run(labels.Length > 0 ? labels : [1_000, 10_000, 100_000, 1_000_000], publish: counts.Contains("--publish"));
    return 0;
}

if (args is ["http-fixture", var fixtureLabels, var fixtureFolder])
{
    HttpFixture.Prepare(int.Parse(fixtureLabels, System.Globalization.CultureInfo.InvariantCulture), fixtureFolder);
    return 0;
}

if (args is ["http-fixture-postgres", var pgLabels, var pgFolder, var pgConnection])
{
    HttpFixture.PreparePostgres(int.Parse(pgLabels, System.Globalization.CultureInfo.InvariantCulture), pgFolder, pgConnection);
    return 0;
}

if (args is ["http-load", .. var loadArgs])
{
    return await HttpLoad.RunAsync(loadArgs).ConfigureAwait(false);
}

if (args is ["monitoring", .. var fixture])
{
    MonitoringBenchmark.Run(fixture.Length > 0 ? int.Parse(fixture[0], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return 0;
}

if (args is ["auditor", .. var auditorArgs])
{
    int[] numbers = auditorArgs.Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    AuditorBenchmark.Run(numbers.Length > 0 ? numbers[0] : 100_000, numbers.Length > 1 ? numbers[1] : 10_000);
    return 0;
}

if (args is ["sqlite-storage", .. var sqliteArgs])
{
    int[] sqliteCounts = sqliteArgs.Where(a => !a.StartsWith("levels=", StringComparison.Ordinal)).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    int[] levels = sqliteArgs.Where(a => a.StartsWith("levels=", StringComparison.Ordinal))
        .SelectMany(a => a["levels=".Length..].Split(',')).Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    SqliteStorageBenchmark.Run(sqliteCounts.Length > 0 ? sqliteCounts : [10_000, 100_000], levels.Length > 0 ? levels : [4, 8]);
    return 0;
}

if (args is ["paged-storage", .. var sizes])
{
    PagedStorageProbe.Header();
    foreach (int levels in new[] { 8, 4, 2 })
    {
        foreach (string size in sizes.Length > 0 ? sizes : ["10000", "100000"])
        {
            PagedStorageProbe.Run(int.Parse(size, System.Globalization.CultureInfo.InvariantCulture), levels);
        }
    }

    return 0;
}

if (args is ["native-probe"])
{
    NativeProbe.Run();
    return 0;
}

if (args is ["probe"])
{
    Probe.Run();
    return 0;
}

if (args is ["leakage", ..])
{
    return LeakageCheck.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20000);
}

BenchmarkSwitcher.FromAssembly(typeof(Probe).Assembly).Run(args);
return 0;
