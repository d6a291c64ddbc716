using System.Net.Http.Json;
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
        Assert.Contains(restarted.Lines, l => l.StartsWith($"resumed at tree size {before}: re-verified {before} stored updates", StringComparison.Ordinal));
        Assert.True(await HealthSizeAsync(restarted) >= before);
        Assert.DoesNotContain(restarted.Lines, l => l.StartsWith("verified entries 0..", StringComparison.Ordinal));

        TestAccount carol = await TestAccount.RegisterAsync(server.Http, "mailto:carol@example.com");
        (_, Protocol.HandleRecord record) = await EventuallyAsync(() => carol.LookUpAsync(carol.Label));
        Assert.Equal(carol.AccountId, record.AccountId);
        ulong after = await LogSizeAsync(server);
        Assert.True(after > before);
        await AuditorReachesAsync(restarted, after);
        Assert.Contains(restarted.Lines, l => l.StartsWith($"verified entries {before}..", StringComparison.Ordinal));
        Assert.Equal(0, await restarted.TerminateAsync());
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
