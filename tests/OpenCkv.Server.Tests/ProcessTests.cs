using System.Collections.Concurrent;
using System.Net;
using OpenCkv.Client.Http;
using OpenCkv.KeyTransparency.Search;
using OpenCkv.Protocol;

namespace OpenCkv.Server.Tests;

/// <summary>`ckv server` as a process: start on an empty folder, graceful SIGTERM, and SIGKILL under write traffic.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly string _folder = System.IO.Directory.CreateTempSubdirectory("ckv-process-").FullName;

    [Fact]
    public async Task An_empty_folder_becomes_a_log_and_SIGTERM_exits_cleanly_after_serving_the_documented_endpoints()
    {
        using ServerProcess server = await ServerProcess.StartAsync(_folder);
        Assert.Equal(HttpStatusCode.OK, (await server.Http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative))).StatusCode);
        string openapi = await server.Http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        foreach (string path in new[] { "/v1/kt/search", "/v1/accounts", "/v1/account/changes", "/v1/log/entries", "/health" })
        {
            Assert.Contains($"\"{path}\"", openapi, StringComparison.Ordinal);
        }

        Assert.Contains("ckv_log_tree_size", await server.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_folder, "configuration.bin")));
        Assert.Equal(0, await server.TerminateAsync());
    }

    [Fact]
    public Task Killed_at_random_points_under_registrations_no_acknowledged_record_is_lost_and_old_heads_stay_consistent() =>
        KilledUnderLoadAsync([]);

    [Fact]
    public async Task On_PostgreSQL_too_a_killed_server_loses_no_acknowledged_record()
    {
        using var database = new PostgresDatabase();
        await KilledUnderLoadAsync(["--postgres", database.ConnectionString]);
    }

    private async Task KilledUnderLoadAsync(string[] storage)
    {
        var acknowledged = new ConcurrentDictionary<string, HandleRecord>(StringComparer.Ordinal);
        var failures = new ConcurrentQueue<string>();
        var random = new Random(20261128);
        TestAccount? watcher = null;
        ClientState? seen = null;
        for (int round = 0; round < 3; round++)
        {
            using ServerProcess server = await ServerProcess.StartAsync(_folder, ["--sensitive-per-minute", "100000", "--batch-ms", "5", .. storage]);
            watcher ??= await TestAccount.RegisterAsync(server.Http, "mailto:watcher@example.com");
            var client = new DirectoryClient(server.Http);

            // A client that saw an earlier head (before the last kill) must find the new log consistent with it.
            var (search, _) = await watcher.LookUpAsync(watcher.Label, seen, client);
            seen = search.State;

            using var stop = new CancellationTokenSource();
            Task[] writers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                for (int i = 0; !stop.IsCancellationRequested; i++)
                {
                    string handle = $"mailto:r{round}w{w}n{i}@example.com";
                    try
                    {
                        TestAccount account = await TestAccount.RegisterAsync(server.Http, handle);
                        acknowledged[account.Label] = account.Records[account.Label];
                    }
                    catch (Exception e) when (e is HttpRequestException or DirectoryApiException or TaskCanceledException or System.Text.Json.JsonException)
                    {
                        failures.Enqueue($"round {round}: {e.GetType().Name}: {e.Message} {e.InnerException?.Message}");
                        return; // the server died mid-request: not acknowledged
                    }
                }
            })).ToArray();

            // Kill at a random point once this round has made progress (a loaded machine may be slow to start).
            int before = acknowledged.Count;
            for (int wait = 0; wait < 400 && acknowledged.Count < before + 5; wait++)
            {
                await Task.Delay(50);
            }

            await Task.Delay(random.Next(100, 1000));
            server.Kill();
            stop.Cancel();
            await Task.WhenAll(writers);
        }

        Assert.True(acknowledged.Count > 10, $"only {acknowledged.Count} registrations were acknowledged; {string.Join(" | ", failures.Distinct().Take(8))}");
        using ServerProcess final = await ServerProcess.StartAsync(_folder, storage);
        var fresh = new DirectoryClient(final.Http);
        var (after, _) = await watcher!.LookUpAsync(watcher.Label, seen, fresh);
        Assert.True(after.State.TreeSize >= seen!.TreeSize);
        foreach ((string label, HandleRecord record) in acknowledged.OrderBy(_ => random.Next()).Take(60))
        {
            Assert.Equal(record, (await watcher.LookUpAsync(label, via: fresh)).Record);
        }

        int published = 0;
        for (ulong? from = 0; from is { } start;)
        {
            using var page = System.Text.Json.JsonDocument.Parse(await final.Http.GetStringAsync(new Uri($"/v1/log/entries?from={start}&limit=1000", UriKind.Relative)));
            published += page.RootElement.GetProperty("entries").EnumerateArray().Sum(e => e.GetProperty("newVersions").GetInt32());
            from = page.RootElement.TryGetProperty("next", out var next) && next.ValueKind == System.Text.Json.JsonValueKind.Number ? next.GetUInt64() : null;
        }

        Assert.True(published >= acknowledged.Count + 1, $"{published} versions in the log, {acknowledged.Count + 1} acknowledged");
        Assert.Equal(0, await final.TerminateAsync());
    }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // left for the temp cleaner
        }
    }
}
