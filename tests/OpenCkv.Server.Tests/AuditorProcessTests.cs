using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using System.Text.Json;
using OpenCkv.KeyTransparency;
using OpenCkv.KeyTransparency.Tls;
using OpenCkv.Protocol.Api;

namespace OpenCkv.Server.Tests;

/// <summary>
/// `ckv auditor` as a process beside `ckv server` (docs/auditor.md): a third-party-auditing log answers verified
/// searches once its auditor signs, the auditor resumes from its own database after a restart, and refuses a log
/// that does not name its key or is not the log it pinned.
/// </summary>
public sealed class AuditorProcessTests : IDisposable
{
    private readonly TempFolder _auditorData = new();
    private readonly TempFolder _serverData = new();

    [Fact]
    public async Task An_audited_log_answers_verified_searches_and_the_auditor_head_reaches_the_log_size()
    {
        using ServerProcess server = await StartAuditedServerAsync();
        using ServerProcess auditor = await ServerProcess.StartAuditorAsync(server.Address, _auditorData.Path, "--poll-ms", "100");

        TestAccount alice = await TestAccount.RegisterAsync(server.Http, "mailto:alice@example.com");
        TestAccount bob = await TestAccount.RegisterAsync(server.Http, "mailto:bob@example.com");

        // The server answers searches only once its auditor signed a head: a verified search proves it took one.
        (_, Protocol.HandleRecord record) = await EventuallyAsync(() => alice.LookUpAsync(bob.Label));
        Assert.Equal(bob.AccountId, record.AccountId);

        ulong logSize = await LogSizeAsync(server);
        Assert.True(logSize >= 3, $"the log has {logSize} entries");
        await AuditorReachesAsync(auditor, logSize);
        Assert.Equal(0, await auditor.TerminateAsync());
        Assert.False(File.Exists(Path.Combine(_auditorData.Path, "alarm.json")));
    }

    [Fact]
    public async Task A_restarted_auditor_resumes_from_its_database_without_fetching_from_zero_and_continues()
    {
        using ServerProcess server = await StartAuditedServerAsync();
        ulong before;
        using (ServerProcess auditor = await ServerProcess.StartAuditorAsync(server.Address, _auditorData.Path, "--poll-ms", "100"))
        {
            _ = await TestAccount.RegisterAsync(server.Http, "mailto:alice@example.com");
            await AuditorReachesAsync(auditor, await LogSizeAsync(server));
            before = await HealthSizeAsync(auditor);
            Assert.Equal(0, await auditor.TerminateAsync());
        }

        using ServerProcess restarted = await ServerProcess.StartAuditorAsync(server.Address, _auditorData.Path, "--poll-ms", "100");
        // A clean stop saved the auditor's state: nothing is verified again.
        Assert.Contains(restarted.Lines, l => l.StartsWith($"resumed at tree size {before} from the state saved at {before}: re-verified 0 stored updates", StringComparison.Ordinal));
        Assert.True(await HealthSizeAsync(restarted) >= before);
        Assert.DoesNotContain(restarted.Lines, l => l.StartsWith("verified entries 0..", StringComparison.Ordinal));

        TestAccount carol = await TestAccount.RegisterAsync(server.Http, "mailto:carol@example.com");
        (_, Protocol.HandleRecord record) = await EventuallyAsync(() => carol.LookUpAsync(carol.Label));
        Assert.Equal(carol.AccountId, record.AccountId);
        ulong after = await LogSizeAsync(server);
        Assert.True(after > before);
        await AuditorReachesAsync(restarted, after);
        Assert.Contains(restarted.Lines, l => l.StartsWith($"verified entries {before}..", StringComparison.Ordinal));
        ulong atCrash = await HealthSizeAsync(restarted);
        restarted.Kill();

        // A crash: the state saved last (at the clean stop) and the updates stored after it, re-verified.
        using ServerProcess recovered = await ServerProcess.StartAuditorAsync(server.Address, _auditorData.Path, "--poll-ms", "100");
        ulong resumed = await HealthSizeAsync(recovered);
        Assert.True(resumed >= atCrash);
        Assert.Contains(
            recovered.Lines,
            l => System.Text.RegularExpressions.Regex.IsMatch(l, $"^resumed at tree size [0-9]+ from the state saved at {before}: re-verified [1-9][0-9]* stored updates"));
        Assert.Equal(0, await recovered.TerminateAsync());
    }

    [Fact]
    public async Task An_auditor_refuses_a_log_whose_configuration_does_not_name_its_key()
    {
        Assert.Equal(0, (await ServerProcess.RunCommandAsync("auditor", "init", "--data", _auditorData.Path)).Exit);
        using ServerProcess server = await ServerProcess.StartAsync(_serverData.Path); // a contact-monitoring log
        (int exit, _, string error) = await ServerProcess.RunCommandAsync(
            "auditor", "--server", server.Address.ToString(), "--data", _auditorData.Path, "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, exit);
        Assert.Contains("REFUSED", error, StringComparison.Ordinal);
        Assert.Contains("does not name this auditor's public key", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_auditorData.Path, "configuration.bin")));
    }

    [Fact]
    public async Task An_auditor_refuses_a_server_presenting_another_configuration_than_the_one_it_pinned()
    {
        using ServerProcess server = await StartAuditedServerAsync();
        using (ServerProcess auditor = await ServerProcess.StartAuditorAsync(server.Address, _auditorData.Path, "--poll-ms", "100"))
        {
            Assert.Equal(0, await auditor.TerminateAsync());
        }

        // Another log naming the same auditor key: not the log this auditor pinned.
        using var other = new TempFolder();
        Assert.Equal(0, (await ServerProcess.RunCommandAsync("server", "init", "--data", other.Path, "--auditor-key", PublicKeyHex())).Exit);
        using ServerProcess impostor = await ServerProcess.StartAsync(other.Path);
        (int exit, _, string error) = await ServerProcess.RunCommandAsync(
            "auditor", "--server", impostor.Address.ToString(), "--data", _auditorData.Path, "--urls", "http://127.0.0.1:0");
        Assert.Equal(1, exit);
        Assert.Contains("other than the one this auditor pinned", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Auditor_init_writes_an_owner_only_key_and_refuses_a_folder_that_holds_one()
    {
        (int exit, string output, _) = await ServerProcess.RunCommandAsync("auditor", "init", "--data", _auditorData.Path);
        Assert.Equal(0, exit);
        string hex = output.Split('\n').Single(l => l.StartsWith("public key (", StringComparison.Ordinal)).Split(' ')[^1].Trim();
        Assert.Equal(130, hex.Length);
        Assert.Contains(Path.Combine(_auditorData.Path, "auditor.pub"), output, StringComparison.Ordinal);
        Assert.Equal(hex, File.ReadAllText(Path.Combine(_auditorData.Path, "auditor.pub")).Trim());
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_auditorData.Path, "auditor.key")));
        }

        (int again, _, string error) = await ServerProcess.RunCommandAsync("auditor", "init", "--data", _auditorData.Path);
        Assert.Equal(1, again);
        Assert.Contains("already holds an auditor key", error, StringComparison.Ordinal);

        // `ckv server init --auditor-key` takes the public key file as well as the hex.
        (exit, output, error) = await ServerProcess.RunCommandAsync("server", "init", "--data", _serverData.Path, "--auditor-key", Path.Combine(_auditorData.Path, "auditor.pub"));
        Assert.True(exit == 0, error);
        Assert.Contains("ThirdPartyAuditing", output, StringComparison.Ordinal);
        Configuration configuration = TlsCodec.Decode<Configuration>(File.ReadAllBytes(Path.Combine(_serverData.Path, "configuration.bin")));
        Assert.Equal(hex, Convert.ToHexStringLower(configuration.AuditorPublicKey!));
    }

    [Fact]
    public async Task An_inconsistent_update_raises_the_alarm_keeps_the_evidence_and_the_last_good_head_is_still_served()
    {
        using ServerProcess server = await StartAuditedServerAsync();
        _ = await TestAccount.RegisterAsync(server.Http, "mailto:alice@example.com"); // the log now has at least two entries

        // A log that lies about entry 1's timestamp (before entry 0's: KT §15.2 step 1), otherwise the real one.
        await using WebApplication lying = await StartLyingLogAsync(server);
        var address = new Uri(lying.Urls.Single());
        using ServerProcess auditor = await ServerProcess.StartAuditorAsync(address, _auditorData.Path, "--poll-ms", "100");
        JsonElement alarm = default;
        for (int i = 0; i < 200 && alarm.ValueKind == JsonValueKind.Undefined; i++)
        {
            using HttpResponseMessage health = await auditor.Http.GetAsync(new Uri("/health", UriKind.Relative));
            if (health.StatusCode == System.Net.HttpStatusCode.ServiceUnavailable)
            {
                using JsonDocument document = JsonDocument.Parse(await health.Content.ReadAsStringAsync());
                Assert.Equal("alarm", document.RootElement.GetProperty("status").GetString());
                alarm = document.RootElement.GetProperty("alarm").Clone();
            }
            else
            {
                await Task.Delay(100);
            }
        }

        Assert.Equal(JsonValueKind.Object, alarm.ValueKind);
        Assert.Equal(1UL, alarm.GetProperty("position").GetUInt64());
        Assert.Equal("TimestampsNotMonotonic", alarm.GetProperty("failure").GetString());
        string line = Assert.Single(auditor.Lines, l => l.StartsWith("ALARM {", StringComparison.Ordinal));
        using (JsonDocument printed = JsonDocument.Parse(line["ALARM ".Length..]))
        {
            Assert.Equal(1UL, printed.RootElement.GetProperty("position").GetUInt64());
        }

        using (JsonDocument evidence = JsonDocument.Parse(File.ReadAllText(Path.Combine(_auditorData.Path, "alarm.json"))))
        {
            AuditorUpdate update = TlsCodec.Decode<AuditorUpdate>(Convert.FromHexString(evidence.RootElement.GetProperty("update").GetString()!));
            Assert.Equal(0UL, update.Timestamp);
            Assert.Contains("timestamp", evidence.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        }

        // The last good head (entry 0, verified before the lie) is still served, and nothing more is signed.
        byte[] head = await auditor.Http.GetByteArrayAsync(new Uri("/v1/head", UriKind.Relative));
        Assert.Equal(1UL, TlsCodec.Decode<AuditorTreeHead>(head).TreeSize);
        Assert.Equal(0, await auditor.TerminateAsync());

        // Restarted, it stays alarmed.
        using ServerProcess restarted = await ServerProcess.StartAuditorAsync(address, _auditorData.Path, "--poll-ms", "100");
        using HttpResponseMessage again = await restarted.Http.GetAsync(new Uri("/health", UriKind.Relative));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, again.StatusCode);
        Assert.Equal(0, await restarted.TerminateAsync());
    }

    public void Dispose()
    {
        _auditorData.Dispose();
        _serverData.Dispose();
    }

    private string PublicKeyHex() => File.ReadAllText(Path.Combine(_auditorData.Path, "auditor.pub")).Trim();

    /// <summary>`ckv auditor init`, then `ckv server init --auditor-key` with its key, then the server.</summary>
    private async Task<ServerProcess> StartAuditedServerAsync()
    {
        (int exit, _, string error) = await ServerProcess.RunCommandAsync("auditor", "init", "--data", _auditorData.Path);
        Assert.True(exit == 0, error);
        (exit, string output, error) = await ServerProcess.RunCommandAsync("server", "init", "--data", _serverData.Path, "--auditor-key", PublicKeyHex());
        Assert.True(exit == 0, error);
        Assert.Contains("ThirdPartyAuditing", output, StringComparison.Ordinal);
        return await ServerProcess.StartAsync(_serverData.Path);
    }

    /// <summary>An HTTP front of <paramref name="server"/> that rewrites entry 1's AuditorUpdate with timestamp 0.</summary>
    private static async Task<WebApplication> StartLyingLogAsync(ServerProcess server)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort()}");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        WebApplication app = builder.Build();
        app.MapGet("/v1/log/configuration", async () =>
            Results.Bytes(await server.Http.GetByteArrayAsync(new Uri("/v1/log/configuration", UriKind.Relative)), "application/octet-stream"));
        app.MapGet("/v1/log/auditor-updates", async (HttpRequest request) =>
        {
            byte[] page = await server.Http.GetByteArrayAsync(new Uri("/v1/log/auditor-updates" + request.QueryString, UriKind.Relative));
            return Results.Bytes(Lie(page), "application/octet-stream");
        });
        app.MapPost("/v1/log/auditor-head", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            using var content = new ByteArrayContent(body.ToArray());
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            using HttpResponseMessage response = await server.Http.PostAsync(new Uri("/v1/log/auditor-head", UriKind.Relative), content);
            return Results.StatusCode((int)response.StatusCode);
        });
        await app.StartAsync();
        return app;
    }

    private static byte[] Lie(byte[] page)
    {
        var reader = new TlsReader(page);
        ulong first = reader.ReadUInt64();
        int count = reader.ReadVectorCount(byte.MaxValue);
        var updates = new List<AuditorUpdate>();
        for (int i = 0; i < count; i++)
        {
            AuditorUpdate update = AuditorUpdate.Decode(ref reader);
            updates.Add(first + (ulong)i == 1 ? update with { Timestamp = 0 } : update);
        }

        var writer = new TlsWriter();
        writer.WriteUInt64(first);
        writer.WriteVectorCount(updates.Count, byte.MaxValue);
        foreach (AuditorUpdate update in updates)
        {
            update.Encode(writer);
        }

        return writer.ToArray();
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task<ulong> LogSizeAsync(ServerProcess server) =>
        (await server.Http.GetFromJsonAsync<LogInfoMessage>(new Uri("/v1/log/", UriKind.Relative)))!.TreeSize;

    private static async Task<ulong> HealthSizeAsync(ServerProcess auditor)
    {
        using JsonDocument health = JsonDocument.Parse(await auditor.Http.GetStringAsync(new Uri("/health", UriKind.Relative)));
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
        return health.RootElement.GetProperty("treeSize").GetUInt64();
    }

    /// <summary>Waits until the auditor's signed head (GET /v1/head) covers at least <paramref name="size"/> entries.</summary>
    private static async Task AuditorReachesAsync(ServerProcess auditor, ulong size)
    {
        ulong seen = 0;
        for (int i = 0; i < 300; i++)
        {
            using HttpResponseMessage response = await auditor.Http.GetAsync(new Uri("/v1/head", UriKind.Relative));
            if (response.IsSuccessStatusCode)
            {
                Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
                seen = TlsCodec.Decode<AuditorTreeHead>(await response.Content.ReadAsByteArrayAsync()).TreeSize;
                if (seen >= size)
                {
                    Assert.True(await HealthSizeAsync(auditor) >= seen);
                    return;
                }
            }

            await Task.Delay(100);
        }

        Assert.Fail($"the auditor's head stayed at {seen}, below the log's {size} entries: {string.Join('\n', auditor.Lines)}");
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> attempt)
    {
        for (int i = 0; ; i++)
        {
            try
            {
                return await attempt();
            }
            catch (Exception) when (i < 100)
            {
                await Task.Delay(100);
            }
        }
    }
}
